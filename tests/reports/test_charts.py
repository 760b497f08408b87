"""The server-drawn charts: geometry only, checked against numbers worked out by hand."""

from datetime import date, timedelta

from reports import charts

DAYS = [date(2026, 6, 1) + timedelta(days=7 * n) for n in range(3)]


def test_a_percent_line_runs_from_0_to_100_and_breaks_where_a_value_is_hidden():
    chart = charts.line_chart(DAYS, [("Cadence", [50.0, None, 100.0])], percent=True)
    (line,) = chart.lines
    # x: 44 + 584 * day / 14; y: 12 + 180 * (1 - value / 100)
    assert line.path == "M44.0,102.0 M628.0,12.0"  # a new stroke after the gap
    assert line.last == 100.0
    assert [label for _y, label in chart.y_ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert [label for _x, label in chart.x_ticks][0] == "01 Jun"


def test_counts_get_a_round_top_and_no_data_no_chart():
    chart = charts.line_chart(DAYS, [("Invited", [3, 7, 42])])
    assert chart.y_ticks[-1][1] == "50"
    assert charts.line_chart(DAYS, [("Invited", [None, None, None])]).empty
    assert charts.sparkline([None, 4.0]) == ""  # one point draws nothing


def test_the_network_puts_departments_on_a_circle_and_weighs_links():
    network = charts.network({("Sales", "HR"): 5, ("HR", "Legal"): 10})
    assert [node.name for node in network.nodes] == ["HR", "Legal", "Sales"]
    assert network.nodes[0].x == network.size / 2  # the first at the top
    assert [edge.width for edge in network.edges] == [1 + 7 * 5 / 10, 8]
