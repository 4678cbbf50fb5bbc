"""Builders of the Southbound rows northd writes besides logical flows."""
