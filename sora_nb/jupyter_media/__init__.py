"""sora_nb's Jupyter server extension, which runs in the Jupyter server's process, not the
kernel's: it streams takes kept outside the server's root folder.

:mod:`~sora_nb.jupyter_media.registry` (stdlib only) is shared by both sides: a kernel registers
its media folder there, and :mod:`~sora_nb.jupyter_media.extension` (the route, imported by the
Jupyter server only) serves files of registered folders. Importing this package imports neither.
"""
