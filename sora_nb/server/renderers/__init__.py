"""Renderers of the bundled server: what turns an accepted job into video files.

``animatic`` (the offline default) draws a storyboard of the prompt with sound.
"""
