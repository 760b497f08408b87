"""KPI definitions, nightly snapshots, dashboards and exports."""
