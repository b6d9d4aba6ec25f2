"""ComponentResources and pure manifest builders of ocp-virt-networking."""
