"""The scikit-learn estimators: the only part of skvae that imports scikit-learn
or pandas. They hand numpy to :mod:`skvae.core` and get numpy back."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause
