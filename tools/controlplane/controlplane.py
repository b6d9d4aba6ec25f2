"""A real, local Kubernetes control plane for end-to-end tests.

etcd + kube-apiserver + kube-controller-manager, all listening on 127.0.0.1
only, with certificates, keys, data, logs and an admin kubeconfig kept in one
state directory. There are no nodes and no kubelets: objects are stored,
validated (OpenAPI schema, CEL rules, admission), garbage-collected and
namespaces are finalized, but no pod ever runs.

Binaries come from ``build.sh`` next to this file (cached, a warm run takes
seconds), or from the directory named by ``OCP_VIRT_NET_CONTROLPLANE_BIN``.
Only the standard library and the ``openssl`` command are used.

Python use::

    from tools.controlplane import controlplane as cpl

    cp = cpl.start(tmp_dir)              # -> ControlPlane
    cpl.install_crds(cp)                 # all CRDs of the shared crds folder
    cp.kubectl("get", "ns")              # subprocess.CompletedProcess
    cpl.stop(cp)                         # kills everything, removes tmp_dir

    # or, e.g. in a session-scoped pytest fixture:
    with cpl.running(tmp_path_factory.mktemp("cp"), crds=True) as cp:
        yield cp

CLI use::

    python tools/controlplane/controlplane.py build
    python tools/controlplane/controlplane.py up STATE_DIR [--crds] [--crd FILE ...]
    python tools/controlplane/controlplane.py crds STATE_DIR [FILE ...]
    python tools/controlplane/controlplane.py status STATE_DIR
    python tools/controlplane/controlplane.py down STATE_DIR [--keep]

``up`` prints the ControlPlane as JSON on stdout (``kubeconfig`` is the admin
kubeconfig); the processes keep running until ``down``.

Environment:
    OCP_VIRT_NET_CONTROLPLANE_BIN  use the binaries in this directory, do not build
    OCP_VIRT_NET_CACHE             cache root for build.sh
                                   (default ~/.cache/ocp-virt-networking)
    OCP_VIRT_NET_CRDS          CRD folder for install_crds()
                                   (default: shared/crds beside the repository)
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
BUILD_SH = HERE / "build.sh"

MARKER = ".ocp-virt-net-controlplane"
STATE_FILE = "state.json"
LOOPBACK = "127.0.0.1"
SERVICE_CIDR = "10.96.0.0/24"
SERVICE_IP = "10.96.0.1"  # first address of SERVICE_CIDR, only named in the serving cert
SA_ISSUER = "https://kubernetes.default.svc.cluster.local"
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager")
CRD_FILES = (
    "nmstate.io_nodenetworkconfigurationpolicies.yaml",
    "k8s.cni.cncf.io_network-attachment-definitions.yaml",
    "k8s.ovn.org_userdefinednetworks.yaml",
    "k8s.ovn.org_clusteruserdefinednetworks.yaml",
    "kubevirt.io_virtualmachines.json",
    "cdi.kubevirt.io_datavolumes.yaml",
)


class ControlPlaneError(RuntimeError):
    pass


@dataclasses.dataclass
class ControlPlane:
    state_dir: Path
    bin_dir: Path
    kubeconfig: Path
    server: str
    etcd_url: str
    pids: dict[str, int]
    version: str = ""
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    _procs: dict[str, subprocess.Popen] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def kubectl_path(self) -> Path:
        return self.bin_dir / "kubectl"

    def env(self) -> dict[str, str]:
        """os.environ with KUBECONFIG pointing at the admin kubeconfig."""
        return {**os.environ, "KUBECONFIG": str(self.kubeconfig)}

    def kubectl(
        self,
        *args: str,
        check: bool = True,
        input: str | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess:
        """Runs kubectl against this control plane; text output captured."""
        cmd = [str(self.kubectl_path), "--kubeconfig", str(self.kubeconfig), *args]
        res = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
        if check and res.returncode != 0:
            raise ControlPlaneError(f"{' '.join(cmd)} exited {res.returncode}\n{res.stdout}{res.stderr}")
        return res

    def rss(self) -> dict[str, int]:
        """Resident memory in bytes of each running component."""
        out = {}
        for name, pid in self.pids.items():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out[name] = int(line.split()[1]) * 1024
            except OSError:
                pass
        return out

    def to_json(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d.pop("_procs")
        for k in ("state_dir", "bin_dir", "kubeconfig"):
            d[k] = str(d[k])
        return d

    @classmethod
    def from_json(cls, d: dict) -> ControlPlane:
        d = dict(d)
        for k in ("state_dir", "bin_dir", "kubeconfig"):
            d[k] = Path(d[k])
        return cls(**d)


# --------------------------------------------------------------------------
# binaries


def build(force: bool = False) -> Path:
    """Runs build.sh (cached) and returns the bin dir."""
    cmd = ["bash", str(BUILD_SH)] + (["--force"] if force else [])
    res = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if res.returncode != 0:
        raise ControlPlaneError(f"{BUILD_SH} failed with exit code {res.returncode}")
    return Path(res.stdout.strip().splitlines()[-1])


def bin_dir() -> Path:
    env = os.environ.get("OCP_VIRT_NET_CONTROLPLANE_BIN")
    return Path(env) if env else build()


def crds_dir() -> Path:
    env = os.environ.get("OCP_VIRT_NET_CRDS")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "crds"


def default_crd_files() -> list[Path]:
    d = crds_dir()
    return [d / name for name in CRD_FILES]


# --------------------------------------------------------------------------
# certificates and kubeconfigs


def _openssl(*args: str, cwd: Path) -> None:
    res = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if res.returncode != 0:
        raise ControlPlaneError(f"openssl {' '.join(args)}: {res.stderr}")


def _ec_key(pki: Path, name: str) -> None:
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{name}.key", cwd=pki)


def _signed_cert(pki: Path, name: str, subject: str, ext: str) -> None:
    _ec_key(pki, name)
    _openssl("req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr", cwd=pki)
    (pki / f"{name}.ext").write_text(ext)
    _openssl(
        "x509",
        "-req",
        "-in",
        f"{name}.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-set_serial",
        str(int.from_bytes(os.urandom(8), "big")),
        "-days",
        "3650",
        "-sha256",
        "-extfile",
        f"{name}.ext",
        "-out",
        f"{name}.crt",
        cwd=pki,
    )


def make_pki(pki: Path) -> None:
    """CA, apiserver serving cert, admin and controller-manager client certs,
    service-account key pair. EC P-256 keys: generated in milliseconds."""
    pki.mkdir(parents=True, exist_ok=True)
    _ec_key(pki, "ca")
    _openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        "/CN=e2e-kubernetes-ca",
        "-days",
        "3650",
        "-sha256",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
        "-out",
        "ca.crt",
        cwd=pki,
    )
    client = (
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=clientAuth\n"
    )
    _signed_cert(
        pki,
        "apiserver",
        "/CN=kube-apiserver",
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,"
        "DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,"
        f"IP:{LOOPBACK},IP:{SERVICE_IP}\n",
    )
    _signed_cert(pki, "admin", "/O=system:masters/CN=e2e-admin", client)
    _signed_cert(pki, "controller-manager", "/CN=system:kube-controller-manager", client)
    _ec_key(pki, "sa")
    _openssl("pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=pki)
    for p in pki.iterdir():
        if p.suffix in (".csr", ".ext", ".srl"):
            p.unlink()
        elif p.suffix == ".key":
            p.chmod(0o600)


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def write_kubeconfig(path: Path, server: str, pki: Path, user: str, cert: str) -> None:
    # JSON is valid YAML; every kubeconfig reader accepts it.
    cfg = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "e2e", "cluster": {"server": server, "certificate-authority-data": _b64(pki / "ca.crt")}}
        ],
        "users": [
            {
                "name": user,
                "user": {
                    "client-certificate-data": _b64(pki / f"{cert}.crt"),
                    "client-key-data": _b64(pki / f"{cert}.key"),
                },
            }
        ],
        "contexts": [{"name": "e2e", "context": {"cluster": "e2e", "user": user}}],
        "current-context": "e2e",
        "preferences": {},
    }
    path.write_text(json.dumps(cfg, indent=1) + "\n")
    path.chmod(0o600)


# --------------------------------------------------------------------------
# processes


def _free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((LOOPBACK, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _spawn(name: str, argv: list[str], state: Path, die_with_parent: bool) -> subprocess.Popen:
    with open(state / "logs" / f"{name}.log", "ab") as log:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=state,
            start_new_session=True,
            preexec_fn=_die_with_parent if die_with_parent else None,
        )


def _tail(path: Path, lines: int = 40) -> str:
    try:
        data = path.read_bytes()[-64 * 1024 :].decode(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(data[-lines:])


def log_tails(state_dir: Path | str, lines: int = 40) -> str:
    out = []
    for name in COMPONENTS:
        p = Path(state_dir) / "logs" / f"{name}.log"
        if p.exists():
            out.append(f"----- {p} (last {lines} lines) -----\n{_tail(p, lines)}")
    return "\n".join(out)


def _ssl_context(pki: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    ctx.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))
    return ctx


def _get(url: str, ctx: ssl.SSLContext | None = None, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, context=ctx, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _wait(what: str, check, procs: dict[str, subprocess.Popen], deadline: float, state: Path) -> None:
    last = ""
    while True:
        for name, p in procs.items():
            if p.poll() is not None:
                raise ControlPlaneError(
                    f"{name} exited with code {p.returncode} while waiting for {what}\n" + log_tails(state)
                )
        try:
            ok, last = check()
            if ok:
                return
        except (OSError, ValueError) as e:
            last = repr(e)
        if time.monotonic() > deadline:
            raise ControlPlaneError(f"timed out waiting for {what} (last: {last})\n" + log_tails(state))
        time.sleep(0.2)


def _pid_is_ours(pid: int, state_dir: Path) -> bool:
    """True if pid is alive and was started with this state dir in its argv."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return (str(state_dir) + "/").encode() in cmdline


def _prepare_state_dir(state: Path) -> None:
    if state.exists() and any(state.iterdir()):
        if not (state / MARKER).exists():
            raise ControlPlaneError(f"{state} is not empty and is not a control-plane state dir")
        sf = state / STATE_FILE
        if sf.exists():
            old = ControlPlane.from_json(json.loads(sf.read_text()))
            if any(_pid_is_ours(p, state) for p in old.pids.values()):
                raise ControlPlaneError(f"a control plane is already running in {state}")
        shutil.rmtree(state)
    state.mkdir(parents=True, exist_ok=True)
    (state / MARKER).write_text("")
    (state / "logs").mkdir()


def start(
    state_dir: Path | str,
    bin_dir_: Path | str | None = None,
    *,
    timeout: float = 180,
    authorization_mode: str = "RBAC",
    controllers: str = "*",
    crds: bool | Sequence[Path | str] = False,
    die_with_parent: bool = False,
    verbosity: int = 1,
) -> ControlPlane:
    """Starts etcd, kube-apiserver and kube-controller-manager on 127.0.0.1.

    Returns when /readyz answers ok and the controller manager has created the
    ``default`` ServiceAccount (so its controllers run). ``crds``: True for
    the default CRD set, or a list of files; they are applied and waited for.
    ``die_with_parent``: components get SIGKILL when the calling thread exits
    (e.g. the test process is killed); the state dir is then left behind.
    On failure every started process is killed and the state dir is kept for
    its logs; the exception message holds the log tails.
    """
    t0 = time.monotonic()
    deadline = t0 + timeout
    state = Path(state_dir).resolve()
    bins = Path(bin_dir_) if bin_dir_ else bin_dir()
    for c in (*COMPONENTS, "kubectl"):
        if not os.access(bins / c, os.X_OK):
            raise ControlPlaneError(f"missing binary {bins / c}")
    _prepare_state_dir(state)
    pki = state / "pki"
    make_pki(pki)
    timings = {"pki": time.monotonic() - t0}

    etcd_port, etcd_peer, api_port = _free_ports(3)
    etcd_url = f"http://{LOOPBACK}:{etcd_port}"
    server = f"https://{LOOPBACK}:{api_port}"
    kubeconfig = state / "admin.kubeconfig"
    write_kubeconfig(kubeconfig, server, pki, "e2e-admin", "admin")
    write_kubeconfig(
        state / "controller-manager.kubeconfig", server, pki, "system:kube-controller-manager", "controller-manager"
    )

    cp = ControlPlane(
        state_dir=state, bin_dir=bins, kubeconfig=kubeconfig, server=server, etcd_url=etcd_url, pids={}, timings=timings
    )
    procs = cp._procs
    try:
        peer = f"http://{LOOPBACK}:{etcd_peer}"
        procs["etcd"] = _spawn(
            "etcd",
            [
                str(bins / "etcd"),
                "--name=e2e",
                f"--data-dir={state / 'etcd'}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls={peer}",
                f"--initial-advertise-peer-urls={peer}",
                f"--initial-cluster=e2e={peer}",
                "--initial-cluster-state=new",
                "--unsafe-no-fsync=true",  # test data only
                "--log-level=warn",
            ],
            state,
            die_with_parent,
        )
        cp.pids["etcd"] = procs["etcd"].pid
        _save(cp)

        def etcd_ok():
            code, body = _get(etcd_url + "/health", timeout=2)
            return code == 200 and b'"true"' in body, body[:200]

        _wait("etcd /health", etcd_ok, procs, deadline, state)
        timings["etcd"] = time.monotonic() - t0

        procs["kube-apiserver"] = _spawn(
            "kube-apiserver",
            [
                str(bins / "kube-apiserver"),
                f"--bind-address={LOOPBACK}",
                f"--advertise-address={LOOPBACK}",
                f"--secure-port={api_port}",
                f"--etcd-servers={etcd_url}",
                f"--cert-dir={pki}",
                f"--client-ca-file={pki / 'ca.crt'}",
                f"--tls-cert-file={pki / 'apiserver.crt'}",
                f"--tls-private-key-file={pki / 'apiserver.key'}",
                f"--service-account-issuer={SA_ISSUER}",
                f"--service-account-key-file={pki / 'sa.pub'}",
                f"--service-account-signing-key-file={pki / 'sa.key'}",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                f"--authorization-mode={authorization_mode}",
                # no endpoints for the "kubernetes" Service: a loopback address is
                # not a valid endpoint and nothing in the cluster could reach it
                "--endpoint-reconciler-type=none",
                "--allow-privileged=true",
                "--profiling=false",
                f"--v={verbosity}",
            ],
            state,
            die_with_parent,
        )
        cp.pids["kube-apiserver"] = procs["kube-apiserver"].pid
        _save(cp)
        ctx = _ssl_context(pki)

        def api_ok():
            code, body = _get(server + "/readyz", ctx)
            return code == 200 and body.strip() == b"ok", body[-300:]

        _wait("kube-apiserver /readyz", api_ok, procs, deadline, state)
        timings["kube-apiserver"] = time.monotonic() - t0
        _, body = _get(server + "/version", ctx)
        cp.version = json.loads(body).get("gitVersion", "")

        procs["kube-controller-manager"] = _spawn(
            "kube-controller-manager",
            [
                str(bins / "kube-controller-manager"),
                f"--kubeconfig={state / 'controller-manager.kubeconfig'}",
                f"--bind-address={LOOPBACK}",
                "--secure-port=0",  # no health endpoint: nothing listens
                "--leader-elect=false",
                # the default client rate limit (20/s) slows the start down
                "--kube-api-qps=200",
                "--kube-api-burst=400",
                f"--controllers={controllers}",
                "--use-service-account-credentials=true",
                f"--service-account-private-key-file={pki / 'sa.key'}",
                f"--root-ca-file={pki / 'ca.crt'}",
                f"--cluster-signing-cert-file={pki / 'ca.crt'}",
                f"--cluster-signing-key-file={pki / 'ca.key'}",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--allocate-node-cidrs=false",
                "--profiling=false",
                f"--v={verbosity}",
            ],
            state,
            die_with_parent,
        )
        cp.pids["kube-controller-manager"] = procs["kube-controller-manager"].pid
        _save(cp)

        def kcm_ok():
            code, _ = _get(server + "/api/v1/namespaces/default/serviceaccounts/default", ctx)
            return code == 200, f"HTTP {code}"

        _wait("kube-controller-manager (default ServiceAccount)", kcm_ok, procs, deadline, state)
        timings["kube-controller-manager"] = time.monotonic() - t0

        if crds:
            files = default_crd_files() if crds is True else list(crds)
            install_crds(cp, files, timeout=max(10.0, deadline - time.monotonic()))
            timings["crds"] = time.monotonic() - t0
    except BaseException:
        _terminate(cp)
        raise
    timings["total"] = time.monotonic() - t0
    _save(cp)
    return cp


def _save(cp: ControlPlane) -> None:
    p = cp.state_dir / STATE_FILE
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(cp.to_json(), indent=1) + "\n")
    tmp.replace(p)


def load(state_dir: Path | str) -> ControlPlane:
    """The ControlPlane recorded in a state dir (e.g. started by `up`)."""
    p = Path(state_dir).resolve() / STATE_FILE
    if not p.exists():
        raise ControlPlaneError(f"no control plane state in {p.parent}")
    return ControlPlane.from_json(json.loads(p.read_text()))


def _terminate(cp: ControlPlane, timeout: float = 20) -> None:
    """Stops the components one by one in reverse start order (etcd last, so
    that the API server can shut down cleanly): SIGTERM, then SIGKILL if a
    component is still there after `timeout` seconds."""
    for name in [c for c in reversed(COMPONENTS) if c in cp.pids]:
        proc = cp._procs.get(name)
        pid = cp.pids[name]

        def alive(proc: subprocess.Popen | None = proc, pid: int = pid) -> bool:
            if proc is not None:
                return proc.poll() is None
            return _pid_is_ours(pid, cp.state_dir) and not _is_zombie(pid)

        if not alive():
            continue
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                if proc is not None:
                    proc.send_signal(sig)
                else:
                    os.kill(pid, sig)
            deadline = time.monotonic() + timeout
            while alive() and time.monotonic() < deadline:
                time.sleep(0.02)
            if not alive():
                break


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def stop(cp: ControlPlane | Path | str, remove: bool = True, timeout: float = 20) -> float:
    """Stops every component, removes the state dir unless remove=False.
    Returns the seconds it took."""
    t0 = time.monotonic()
    if not isinstance(cp, ControlPlane):
        cp = load(cp)
    _terminate(cp, timeout)
    if remove and (cp.state_dir / MARKER).exists():
        shutil.rmtree(cp.state_dir, ignore_errors=True)
    return time.monotonic() - t0


@contextlib.contextmanager
def running(
    state_dir: Path | str, bin_dir_: Path | str | None = None, *, keep_on_failure: bool = False, **kwargs
) -> Iterator[ControlPlane]:
    """Context manager around start()/stop(), for pytest fixtures.
    keep_on_failure: keep the state dir (logs) if the body raised."""
    kwargs.setdefault("die_with_parent", True)
    cp = start(state_dir, bin_dir_, **kwargs)
    failed = False
    try:
        yield cp
    except BaseException:
        failed = True
        raise
    finally:
        stop(cp, remove=not (failed and keep_on_failure))


# --------------------------------------------------------------------------
# CRDs


def install_crds(cp: ControlPlane, files: Sequence[Path | str] | None = None, timeout: float = 120) -> list[str]:
    """Server-side applies CRD files and waits until each is Established.
    Returns the CRD names."""
    files = [Path(f) for f in (files if files is not None else default_crd_files())]
    for f in files:
        if not f.is_file():
            raise ControlPlaneError(f"CRD file not found: {f}")
    args = ["apply", "--server-side", "--field-manager=e2e-controlplane", "--force-conflicts", "-o", "name"]
    for f in files:
        args += ["-f", str(f)]
    res = cp.kubectl(*args, timeout=timeout)
    names = [line.strip() for line in res.stdout.splitlines() if line.strip()]
    if names:
        cp.kubectl("wait", "--for=condition=Established", f"--timeout={int(timeout)}s", *names, timeout=timeout + 10)
    return [n.split("/", 1)[1] for n in names]


# --------------------------------------------------------------------------
# CLI


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="controlplane", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build or find the binaries; prints the bin dir")
    b.add_argument("--force", action="store_true")
    u = sub.add_parser("up", help="start a control plane in STATE_DIR; prints JSON")
    u.add_argument("state_dir")
    u.add_argument("--bin-dir")
    u.add_argument("--crds", action="store_true", help="install the default CRD set")
    u.add_argument("--crd", action="append", default=[], help="install this CRD file")
    u.add_argument("--timeout", type=float, default=180)
    u.add_argument("--authorization-mode", default="RBAC")
    c = sub.add_parser("crds", help="install CRDs (default set if no FILE)")
    c.add_argument("state_dir")
    c.add_argument("files", nargs="*")
    s = sub.add_parser("status", help="print the recorded state and memory use")
    s.add_argument("state_dir")
    d = sub.add_parser("down", help="stop the control plane and remove STATE_DIR")
    d.add_argument("state_dir")
    d.add_argument("--keep", action="store_true", help="keep STATE_DIR")
    a = ap.parse_args(argv)

    try:
        if a.cmd == "build":
            if a.force or not os.environ.get("OCP_VIRT_NET_CONTROLPLANE_BIN"):
                print(build(a.force))
            else:
                print(bin_dir())
        elif a.cmd == "up":
            crds: bool | list[str] = a.crd or a.crds
            cp = start(a.state_dir, a.bin_dir, timeout=a.timeout, crds=crds, authorization_mode=a.authorization_mode)
            print(json.dumps(cp.to_json(), indent=1))
        elif a.cmd == "crds":
            cp = load(a.state_dir)
            for n in install_crds(cp, a.files or None):
                print(n)
        elif a.cmd == "status":
            cp = load(a.state_dir)
            d = cp.to_json()
            d["alive"] = {n: _pid_is_ours(p, cp.state_dir) for n, p in cp.pids.items()}
            d["rss_bytes"] = cp.rss()
            print(json.dumps(d, indent=1))
        elif a.cmd == "down":
            took = stop(a.state_dir, remove=not a.keep)
            print(f"stopped in {took:.2f}s", file=sys.stderr)
    except ControlPlaneError as e:
        print(f"controlplane: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
