from onnxtext.cli import main

main()
