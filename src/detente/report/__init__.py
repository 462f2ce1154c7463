"""What a person looks at: terminal tables, charts and the HTML report."""
