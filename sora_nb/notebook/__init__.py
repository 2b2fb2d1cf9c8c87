"""The Jupyter face of sora_nb: magics, rich display and widgets."""
