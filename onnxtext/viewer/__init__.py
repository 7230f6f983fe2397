"""The picture server: Model Explorer's web app and onnxtext's page, on 127.0.0.1 behind a token."""
