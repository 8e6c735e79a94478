"""Zhicheng (职称): professional title evaluation, engineering series."""
