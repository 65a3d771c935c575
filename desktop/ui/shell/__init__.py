"""The main window: it arranges the feature panels, the actions and the menus."""
