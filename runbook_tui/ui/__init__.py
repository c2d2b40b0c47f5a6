"""The Textual UI: renders the engine's state and sends intents. Nothing here runs commands or reads journals."""
