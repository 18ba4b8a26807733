"""ONVIF adapter: WS-Discovery of cameras on the network and import of their media profiles."""
