"""Renderers of the bundled server: what turns an accepted job into video files.

``base`` is the interface (abilities, request, progress and cancel, result); ``animatic`` (the
offline default) draws a storyboard of the prompt with sound; ``diffusers`` runs an open video
model (Wan, LTX-2 with sound, HunyuanVideo 1.5) from a local folder or the Hugging Face cache.
"""
