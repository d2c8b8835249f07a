#!/usr/bin/python3
"""Writes logistic_fixture.json: data, and scikit-learn's LogisticRegression fit on
it after StandardScaler, for pareto's logistic-regression test.

Run with Debian's python3-sklearn (not a runtime dependency of pareto):
    /usr/bin/python3 src/ml/testdata/make_logistic_fixture.py > src/ml/testdata/logistic_fixture.json

Two fits of the same objective (L2, C=1, unpenalized intercept) are stored:
`default` is LogisticRegression() exactly as constructed by default (lbfgs,
tol=1e-4); `converged` is the same objective solved by newton-cg to tol=1e-12, the optimum
pareto's Newton solver reaches. Also stored: roc_auc_score and
average_precision_score on tied scores, a cross-check of pareto's metrics.
"""
import json

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.preprocessing import StandardScaler

rng = np.random.default_rng(20240611)
n = 300
x = np.column_stack([
    rng.normal(50.0, 20.0, n),          # a large-scale feature
    rng.integers(0, 2, n).astype(float),  # a binary one
    rng.exponential(3.0, n),            # a skewed one
    rng.normal(0.0, 0.01, n),           # a tiny-scale one
])
logit = -1.0 + 0.04 * (x[:, 0] - 50.0) + 0.8 * x[:, 1] - 0.3 * x[:, 2] + 40.0 * x[:, 3]
y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(float)

z = StandardScaler().fit_transform(x)
default = LogisticRegression().fit(z, y)
converged = LogisticRegression(solver="newton-cg", tol=1e-12, max_iter=1000).fit(z, y)

scores = np.round(rng.random(n), 1)  # one decimal: many ties
out = {
    "sklearn_version": sklearn.__version__,
    "x": x.tolist(),
    "y": y.tolist(),
    "default": {"coef": default.coef_[0].tolist(), "intercept": float(default.intercept_[0])},
    "converged": {"coef": converged.coef_[0].tolist(), "intercept": float(converged.intercept_[0])},
    "tied_scores": scores.tolist(),
    "tied_roc_auc": float(roc_auc_score(y, scores)),
    "tied_average_precision": float(average_precision_score(y, scores)),
}
print(json.dumps(out, indent=None))
