"""Why standardize: the same gradient descent on raw x and on standardized x.

y = 3x + 7 + noise with x in [0, 100]; a straight line is fitted by gradient
descent on the mean-squared error, from (0, 0), once on x and once on its
z-score, with one step size α for both.
"""

from __future__ import annotations

import streamlit as st

from logreg_core.linear_demo import compare_standardization
from ui.figures import cost_contour_figure, cost_curves_figure, linear_data_figure

STEP_SIZES = [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 1.5, 1.9, 2.5]
ITERATIONS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
PRESETS = [
    ("α = 0.1", 0.1, "Raw x diverges at once; standardized x converges."),
    ("α = 1", 1.0, "Standardized x reaches the minimum in one step."),
    ("α = 0.001", 1e-3, "Raw x diverges; standardized x is still slow."),
    ("α = 0.0005", 5e-4, "About the largest step raw x survives: it crawls along the valley."),
    ("α = 2.5", 2.5, "Above 2 even standardized x diverges."),
]
ALPHA_KEY, ITER_KEY = "ws_alpha", "ws_iterations"


@st.cache_data(show_spinner=False, max_entries=64)
def experiment(alpha, iterations):
    """Both runs and both contour grids (cached: the same inputs always give the same numbers)."""
    demo = compare_standardization(alpha, iterations)
    return demo, demo.surface("raw"), demo.surface("standardized")


def set_alpha(value):
    st.session_state[ALPHA_KEY] = value


def status_message(name, result, limit, optimal_cost):
    """Say how a run ended, in words; divergence as an error."""
    n = result.iterations_run
    updates = "update" if n == 1 else "updates"
    if result.diverged:
        how = {
            "exploding": f"its cost grew past a million times the starting cost after {n} {updates}",
            "non-finite": f"its numbers overflowed after {n} {updates}",
            "increasing": (
                "its cost ended higher than it started (it grows slowly here: more iterations make it explode)"
            ),
        }[result.reason]
        st.error(
            f"**{name}: DIVERGED** — {how}. α = {result.learning_rate:g} is above this problem's limit "
            f"2 / λ_max = {limit:.2g}.",
            icon=":material/block:",
        )
        return
    w, b = result.final
    reached = result.updates_to_reach(optimal_cost)
    if reached is not None:
        at = "update" if reached == 1 else "updates"
        how = (
            f"**{name}: reached the lowest cost** {optimal_cost:.4g} after **{reached} {at}** "
            f"(of the {n} run; w = {w:.4g}, b = {b:.4g})"
        )
    else:
        gap = result.final_cost - optimal_cost
        how = (
            f"**{name}: not there yet** — after all {n} {updates} still {gap:.3g} above the lowest cost "
            f"(w = {w:.4g}, b = {b:.4g})"
        )
    st.success(f"{how}. Limit for α here: {limit:.2g}.", icon=":material/check_circle:")


st.title("Why standardize the inputs?")
st.caption(
    "Gradient descent fits **ŷ = w·x + b** to **y = 3x + 7** + noise, on **raw x** and on **standardized x**, "
    "with **one step size α** for both."
)

st.session_state.setdefault(ALPHA_KEY, 0.1)
st.session_state.setdefault(ITER_KEY, 1000)
# The controls beside the chart: at 150 % zoom (853×480) both fit in the first screen.
controls, chart = st.columns([1, 2.6], gap="medium")
with controls:
    alpha = st.select_slider(
        "Step size α (both runs)", options=STEP_SIZES, key=ALPHA_KEY, format_func=lambda v: f"{v:g}"
    )
    iterations = st.select_slider("Iterations", options=ITERATIONS, key=ITER_KEY)
    excess = st.toggle(
        "Plot J − J* instead of J",
        key="ws_excess",
        help="J − J*: how far above the lowest cost. On a log scale this shows the slow crawl of raw x that the "
        "plain cost hides.",
    )
    preset_rows = [st.columns(2), st.columns(2), st.columns(2)]
    slots = [column for row in preset_rows for column in row]
    for i, (column, (label, value, tip)) in enumerate(zip(slots, PRESETS, strict=False)):
        column.button(label, key=f"ws_preset_{i}", on_click=set_alpha, args=(value,), help=tip, width="stretch")

demo, raw_surface, std_surface = experiment(alpha, iterations)

with chart:
    st.plotly_chart(
        cost_curves_figure(
            demo.raw.costs,
            demo.standardized.costs,
            demo.optimal_cost,
            iterations,
            raw_diverged=demo.raw.diverged,
            std_diverged=demo.standardized.diverged,
            learning_rate=alpha,
            excess=excess,
            height=295,
        ),
        key="ws_cost_curves",
        theme=None,
        config={"displayModeBar": False},
        width="stretch",
    )
st.caption(
    "Quick settings — 0.0005: about the largest step raw x survives · 0.001: raw x diverges · "
    "1: standardized x lands on the minimum in one step · 2.5: above 2 even standardized x diverges."
)
status = st.columns(2)
with status[0]:
    status_message("Raw x", demo.raw, demo.max_step_raw, demo.optimal_cost)
with status[1]:
    status_message("Standardized x", demo.standardized, demo.max_step_std, demo.optimal_cost)
with st.expander("The set-up in full"):
    st.markdown(
        "We fit a straight line **ŷ = w·x + b** to 100 noisy points of **y = 3x + 7** with x between 0 and 100, "
        "by gradient descent on the mean-squared error **J(w, b) = (1/2m) Σ (w·xᵢ + b − yᵢ)²**, starting at "
        "w = b = 0. Once on **x as it is**, once on **standardized x** — x′ = (x − mean) / std — with "
        "**the same step size α**. Change α and watch both."
    )
st.caption(
    "Both fits describe the same family of lines (w = w′/std, b = b′ − w′·mean/std), so they start at "
    "the same cost and share the same lowest cost: the curves compare directly."
)

st.subheader("The cost surface, seen from above")
st.markdown(
    "Each chart shows the contours of J around the start and the minimum, **with the same scale on both "
    "axes**, and the path that gradient descent took (the first 40 steps are dotted)."
)
maps = st.columns(2)
with maps[0]:
    st.plotly_chart(
        cost_contour_figure(
            *raw_surface,
            demo.raw.path,
            demo.optimum_raw,
            demo.optimal_cost,
            title="Raw x: a long, narrow valley",
            w_label="w (slope)",
            b_label="b (intercept)",
            diverged=demo.raw.diverged,
        ),
        key="ws_contour_raw",
        theme=None,
        config={"displayModeBar": False},
    )
with maps[1]:
    st.plotly_chart(
        cost_contour_figure(
            *std_surface,
            demo.standardized.path,
            demo.optimum_std,
            demo.optimal_cost,
            title="Standardized x: a round bowl",
            w_label="w′ (slope per std of x)",
            b_label="b′ (intercept)",
            diverged=demo.standardized.diverged,
        ),
        key="ws_contour_std",
        theme=None,
        config={"displayModeBar": False},
    )

lam_min_raw, lam_max_raw = demo.curvatures_raw
st.subheader("Why?")
st.markdown(
    f"""
The cost is a bowl. How sharply it curves in each direction is fixed by the inputs alone — its Hessian is
the matrix below, whatever y is. Its two eigenvalues are the **steepest (λ_max) and flattest (λ_min)
curvatures**.

* **Raw x** (x up to 100): λ_max ≈ {lam_max_raw:,.0f} and λ_min ≈ {lam_min_raw:.2f} — about
  {lam_max_raw / lam_min_raw:,.0f} times steeper one way than the other. The contours are long thin ellipses:
  a narrow valley.
* **Standardized x** (mean 0, standard deviation 1): the Hessian is the identity, both curvatures are 1,
  the contours are circles and the gradient points straight at the minimum.

Gradient descent uses **one step size for every direction**. Along a direction of curvature λ, each step
multiplies the remaining distance by (1 − α·λ). If α·λ > 2 that factor is bigger than 1 in size: every step
overshoots further than the last and the run **diverges**. So **α must stay below 2 / λ_max** — the
*steepest* direction sets the limit: {2 / lam_max_raw:.2g} for raw x, 2 for standardized x.

With α just below that limit, the *flattest* direction of raw x shrinks its remaining distance by only
α·λ_min ≈ {2 / lam_max_raw * lam_min_raw:.1e} per step: about {lam_max_raw / (2 * lam_min_raw):,.0f} steps
just to cut it by a factor e — the slow crawl along the valley floor. Standardized x can use α ≈ 1, and
α = 1 reaches the minimum in a single step.
"""
)
st.latex(
    r"H = \begin{bmatrix} \overline{x^2} & \bar{x} \\ \bar{x} & 1 \end{bmatrix}"
    r"\qquad \text{gradient descent converges} \iff \alpha < \frac{2}{\lambda_{\max}(H)}"
)
st.info(
    "**Dividing pixels by 255 is scaling, not standardization.** It maps 0–255 onto 0–1 (min-max scaling) with "
    "the same factor for every pixel. Standardization is the per-feature z-score (x − mean) / std, with mean "
    "and std fitted on the training set only. Both shrink the curvature; only standardization also centres each "
    "feature at 0, which removes the mean(x) coupling between w and b seen above.",
    icon=":material/info:",
)

with st.expander("Show the data and the fitted lines"):
    lines = [("true line y = 3x + 7", 3.0, 7.0), ("least squares", *demo.optimum_raw)]
    if not demo.raw.diverged:
        lines.append((f"raw x after {demo.raw.iterations_run} steps", *demo.raw.final))
    if not demo.standardized.diverged:
        lines.append(
            (
                f"standardized x after {demo.standardized.iterations_run} steps",
                *demo.in_raw_units(*demo.standardized.final),
            )
        )
    st.plotly_chart(
        linear_data_figure(demo.x, demo.y, lines), key="ws_data", theme=None, config={"displayModeBar": False}
    )
