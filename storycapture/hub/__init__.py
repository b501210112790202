"""The story-sharing room at the hub: hear each story, find the themes across stories."""
