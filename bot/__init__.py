"""The runtime and the edges: command line, settings, console, platforms and rendering."""
