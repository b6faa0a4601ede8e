"""Plain data shared by every layer: ARNs, policies, snapshots, activity and findings."""
