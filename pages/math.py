"""The math: forward and backward propagation of one neuron, with live numbers.

A tiny example (3 features × 4 examples, seeded) goes through z = wᵀX + b,
A = σ(z), the cost, dZ = A − Y, dw and db; the derivation shows why the
factor A(1 − A) cancels; a gradient check compares backpropagation with
centred differences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from logreg_core.gradcheck import gradient_check
from logreg_core.model import forward_backward, propagate
from ui.figures import sigmoid_figure

SEED = 7
N_FEATURES, N_EXAMPLES = 3, 4
DEFAULT_W = (0.5, -0.8, 0.3)
DEFAULT_B = 0.1
W_KEYS = tuple(f"math_w{j + 1}" for j in range(N_FEATURES))
B_KEY, ALPHA_KEY = "math_b", "math_alpha"


def tiny_example(seed=SEED):
    """X of shape (3, 4) (rounded to 1 decimal so it reads well) and labels Y of shape (4,)."""
    X = np.round(np.random.default_rng(seed).normal(0.0, 1.5, size=(N_FEATURES, N_EXAMPLES)), 1)
    Y = np.array([1.0, 0.0, 1.0, 0.0])
    return X, Y


def bmatrix(a, digits=3):
    """LaTeX for a vector (as a row) or a matrix."""
    a = np.atleast_2d(np.asarray(a, dtype=np.float64))
    rows = [" & ".join(f"{v:.{digits}f}" for v in row) for row in a]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def take_step(X, Y):
    """Callback: one gradient-descent update of the inputs w and b."""
    w = np.array([st.session_state[k] for k in W_KEYS])
    b = st.session_state[B_KEY]
    _, dw, db = propagate(w, b, X, Y)
    alpha = st.session_state[ALPHA_KEY]
    for k, v in zip(W_KEYS, w - alpha * dw, strict=False):
        st.session_state[k] = float(np.clip(round(float(v), 4), -10.0, 10.0))
    st.session_state[B_KEY] = float(np.clip(round(b - alpha * db, 4), -10.0, 10.0))


def reset_parameters():
    """Callback: back to the starting w and b."""
    for k, v in zip(W_KEYS, DEFAULT_W, strict=False):
        st.session_state[k] = v
    st.session_state[B_KEY] = DEFAULT_B


X, Y = tiny_example()
m = X.shape[1]
for key, value in zip(W_KEYS + (B_KEY, ALPHA_KEY), DEFAULT_W + (DEFAULT_B, 1.0), strict=False):
    st.session_state.setdefault(key, value)

st.title("The math of one neuron, with live numbers")
st.markdown(
    f"A tiny data set: **{N_FEATURES} features × {m} examples** (one example per column of X, as in the course), "
    "labels Y. Change w and b — or let gradient descent change them — and every number below follows."
)

st.latex(r"X = " + bmatrix(X, 1) + r"\qquad Y = " + bmatrix(Y, 0))

inputs = st.columns(N_FEATURES + 2)
for j, key in enumerate(W_KEYS):
    inputs[j].number_input(f"w{j + 1}", min_value=-10.0, max_value=10.0, step=0.1, format="%.4f", key=key)
inputs[N_FEATURES].number_input("b", min_value=-10.0, max_value=10.0, step=0.1, format="%.4f", key=B_KEY)
inputs[N_FEATURES + 1].number_input(
    "step size α", min_value=0.001, max_value=10.0, step=0.1, format="%.3f", key=ALPHA_KEY
)
with st.container(horizontal=True):
    st.button(
        "Take one gradient-descent step",
        key="math_step",
        on_click=take_step,
        args=(X, Y),
        type="primary",
        help="w ← w − α·dw and b ← b − α·db with the gradients shown below.",
    )
    st.button("Reset w and b", key="math_reset", on_click=reset_parameters)

w = np.array([float(st.session_state[k]) for k in W_KEYS])
b = float(st.session_state[B_KEY])
steps = forward_backward(w, b, X, Y)
z, A, losses, cost, dZ, dw, db = (steps[k] for k in ("z", "A", "losses", "cost", "dZ", "dw", "db"))

st.header("Forward propagation")
st.markdown("From the inputs to the prediction and the cost.")
st.latex(r"w = " + bmatrix(w) + r"^{\mathsf T},\qquad b = " + f"{b:.3f}")
st.latex(r"z = w^{\mathsf T}X + b = " + bmatrix(z))
st.latex(r"A = \sigma(z) = \frac{1}{1 + e^{-z}} = " + bmatrix(A))
st.latex(
    r"\mathcal{L}(a, y) = -\bigl[y \log a + (1 - y)\log(1 - a)\bigr] \;\Rightarrow\; \mathcal{L} = " + bmatrix(losses)
)
st.latex(r"J = \frac{1}{m}\sum_{i=1}^{m} \mathcal{L}^{(i)} = " + f"{cost:.4f}")
st.plotly_chart(sigmoid_figure(z, A, Y), key="math_sigmoid", theme=None, config={"displayModeBar": False})
st.caption(
    "Examples with y = 1 should sit high on the curve, those with y = 0 low; the loss measures how far "
    "each one is from where it should be."
)

st.header("Backward propagation")
st.markdown("From the cost back to the gradients that tell w and b which way to move.")
st.latex(r"dZ = A - Y = " + bmatrix(dZ))
st.latex(r"dw = \frac{\partial J}{\partial w} = \frac{1}{m} X\, dZ^{\mathsf T} = " + bmatrix(dw) + r"^{\mathsf T}")
st.latex(r"db = \frac{\partial J}{\partial b} = \frac{1}{m}\sum_{i=1}^{m} dZ^{(i)} = " + f"{db:.4f}")

st.subheader("Why dZ is simply A − Y: the factor A(1 − A) cancels")
st.markdown("Follow one example through the chain rule, z → a → ℒ:")
st.latex(r"\frac{\partial \mathcal{L}}{\partial a} = -\frac{y}{a} + \frac{1 - y}{1 - a} = \frac{a - y}{a(1 - a)}")
st.latex(r"\frac{\partial a}{\partial z} = \sigma(z)\bigl(1 - \sigma(z)\bigr) = a(1 - a)")
st.latex(
    r"\frac{\partial \mathcal{L}}{\partial z} = \frac{\partial \mathcal{L}}{\partial a}\cdot"
    r"\frac{\partial a}{\partial z} = \frac{a - y}{a(1 - a)} \cdot a(1 - a) = a - y"
)
st.markdown(
    "The factor a(1 − a) appears **twice** — in the denominator of ∂ℒ/∂a and as the sigmoid's slope ∂a/∂z — "
    "and the two cancel **exactly**. Nothing is dropped or approximated: the gradient of the cross-entropy "
    "with respect to z *is* a − y. (With a squared-error loss the factor would not cancel, and learning would "
    "stall wherever the sigmoid is flat.)"
)
a1, y1 = float(A[0]), float(Y[0])
st.markdown("With the numbers of example 1:")
st.latex(
    rf"\underbrace{{\frac{{{a1:.4f} - {y1:.0f}}}{{{a1:.4f}\,(1 - {a1:.4f})}}}}_{{\partial\mathcal{{L}}/\partial a"
    rf"\,=\,{(a1 - y1) / (a1 * (1 - a1)):.4f}}}"
    rf"\times \underbrace{{{a1:.4f}\,(1 - {a1:.4f})}}_{{\partial a/\partial z\,=\,{a1 * (1 - a1):.4f}}}"
    rf"= {a1 - y1:.4f} = a - y"
)
st.markdown(
    "Then, since z = wᵀx + b, each example contributes x·(a − y) to ∂J/∂w and (a − y) to ∂J/∂b; "
    "averaging over the m examples gives the dw and db above."
)

st.header("Gradient check")
st.markdown(
    "Is the backpropagation formula right? Compare it with a **numerical** gradient that needs no calculus: nudge "
    "each parameter by ε = 10⁻⁶ both ways and measure the cost,"
)
st.latex(
    r"\frac{\partial J}{\partial \theta_j} \approx \frac{J(\theta_j + \varepsilon) - J(\theta_j - \varepsilon)}"
    r"{2\varepsilon}, \qquad \text{relative error} = "
    r"\frac{\lVert g_{\text{analytic}} - g_{\text{numerical}} \rVert}"
    r"{\lVert g_{\text{analytic}} \rVert + \lVert g_{\text{numerical}} \rVert}"
)
if st.button("Run the gradient check", key="math_gradcheck", type="primary"):
    result = gradient_check(w, b, X, Y)
    error = result["relative_error"]
    names = [f"dw{j + 1}" for j in range(N_FEATURES)] + ["db"]
    left, right = st.columns([1, 2])
    with left:
        st.metric("relative error", f"{error:.2e}")
    with right:
        st.dataframe(
            pd.DataFrame(
                {
                    "parameter": names,
                    "backpropagation": [f"{v:.10f}" for v in result["analytic"]],
                    "numerical": [f"{v:.10f}" for v in result["numerical"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    if error < 1e-7:
        digits = int(-np.log10(error)) if error > 0 else 15
        st.success(
            f"Relative error {error:.1e} < 10⁻⁷: the two agree to about {digits} significant digits — "
            "the analytic gradient is right (what is left is the numerical estimate's own error)."
        )
    elif error < 1e-3:
        st.warning(
            f"Relative error {error:.1e}: suspicious — look closer; usually a small mistake, or a point "
            "where the cost is nearly flat."
        )
    else:
        st.error(f"Relative error {error:.1e}: the analytic gradient is wrong.")
st.caption(
    "Guide: below 10⁻⁷ the gradient is right; 10⁻⁷ to 10⁻³ look closer; above 10⁻³ there is a bug. "
    "A centred difference is accurate to about ε², so a correct gradient gives a tiny error."
)
