"""The Jupyter face of sora_nb: magics, rich display and widgets."""

import os

#: The folder the kernel was in when sora_nb's notebook face first loaded (``%load_ext``):
#: Jupyter starts a kernel in its notebook's folder, and a later ``os.chdir`` in a cell must
#: not move the widgets' links to the media.
START_DIR = os.getcwd()
