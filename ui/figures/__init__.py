"""Every Plotly figure of the dashboard, and the image tiles of the Data page.

One module per page family; one look for all of them (:mod:`.style`: a
registered Plotly template "lab", one palette, one number formatter). Each
function takes plain numbers and arrays and returns a ``go.Figure`` (or a
uint8 image array): no Streamlit, no session state.
"""

from .data import (
    channels_figure,
    class_counts_figure,
    flatten_figure,
    pixel_histograms_figure,
    thumbnail,
    thumbnail_png,
)
from .lessons import (
    contribution_map_figure,
    cost_contour_figure,
    cost_curves_figure,
    linear_data_figure,
    sigmoid_figure,
)
from .style import (
    BASE_FONT,
    CLASS_COLORS,
    DIVERGING,
    PALETTE,
    PRESENTING_SCALE,
    SCALING_COLORS,
    TEMPLATE,
    SpecFigure,
    fmt,
    run_colors,
    typed_array,
)
from .training import COST_FLOOR, LN2, TRAINING_HEIGHT, TRAINING_HEIGHT_PRESENTING, training_figure
from .weights import weight_range, weights_figure

__all__ = [
    "SpecFigure",
    "typed_array",
    "BASE_FONT",
    "CLASS_COLORS",
    "COST_FLOOR",
    "DIVERGING",
    "LN2",
    "PALETTE",
    "PRESENTING_SCALE",
    "SCALING_COLORS",
    "TEMPLATE",
    "TRAINING_HEIGHT",
    "TRAINING_HEIGHT_PRESENTING",
    "channels_figure",
    "class_counts_figure",
    "contribution_map_figure",
    "cost_contour_figure",
    "cost_curves_figure",
    "flatten_figure",
    "fmt",
    "linear_data_figure",
    "pixel_histograms_figure",
    "run_colors",
    "sigmoid_figure",
    "thumbnail",
    "thumbnail_png",
    "training_figure",
    "weight_range",
    "weights_figure",
]
