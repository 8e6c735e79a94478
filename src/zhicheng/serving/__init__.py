"""Serving the platform in production: the load balancer's probes, the deployment checks and the server's
configuration (docs/deployment.md)."""
