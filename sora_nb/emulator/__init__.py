"""A Videos API server that runs here: the offline default backend and a teaching tool."""
