"""List-page building blocks: URL state, cells, filter controls, personal views, the page builder."""
