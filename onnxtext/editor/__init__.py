"""Editor set-up: VS Code snippets, tasks and settings written into a folder."""
