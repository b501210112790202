"""The application shell: windows over the services. Thin: it calls services, renders models."""
