"""The registry of likelihoods by name, and the one builder of a model's likelihood."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect

from skvae.core.likelihoods._base import Likelihood
from skvae.core.likelihoods._heterogeneous import Heterogeneous

# Every name the estimators accept, mapped to its class.
LIKELIHOODS = {}

# Levels a category column may have: its logits are decoder outputs.
MAX_LEVELS = 1000


def register_likelihood(likelihood_class=None, *, replace=False):
    """Make a :class:`~skvae.core.likelihoods.Likelihood` subclass available by name.

    After registration every estimator fits it by its ``name``
    (``VAETransformer(likelihood=name)``, or as the likelihood of a column
    of a DataFrame with ``likelihood={column: name}``), and saved models
    that use it load again, once it is registered in the loading process.
    Use it as a function or as a class decorator.

    Parameters
    ----------
    likelihood_class : type
        A subclass of ``Likelihood`` with a non-empty ``name``. Its
        constructor takes ``n_features`` (and ``var_floor`` when it has a
        scale, ``n_levels`` when it is levelled).
    replace : bool, default=False
        Replace a registered likelihood of the same name instead of raising.

    Returns
    -------
    likelihood_class : type
        The class itself, so that it works as a decorator.

    Examples
    --------
    >>> import torch
    >>> from skvae.core import Likelihood, register_likelihood
    >>> @register_likelihood
    ... class Laplace(Likelihood):
    ...     name = "laplace_example"
    ...     n_params = 2
    ...     def _split(self, out):
    ...         loc, raw = out.chunk(2, dim=-1)
    ...         return loc, torch.nn.functional.softplus(raw) + 1e-3
    ...     def log_prob(self, out, x):
    ...         loc, b = self._split(out)
    ...         return -torch.log(2 * b) - (x - loc).abs() / b
    ...     def mean(self, out):
    ...         return self._split(out)[0]
    ...     def sample(self, out, generator=None):
    ...         loc, b = self._split(out)
    ...         u = torch.rand(loc.shape, generator=generator, dtype=loc.dtype)
    ...         return loc - b * torch.sign(u - 0.5) * torch.log1p(-2 * (u - 0.5).abs())
    ...     def saturated_log_prob(self, x):
    ...         return torch.full_like(x, -torch.log(torch.tensor(2e-3)).item())
    >>> from skvae import VAETransformer
    >>> X = torch.randn(100, 3, generator=torch.Generator().manual_seed(0)).numpy()
    >>> vae = VAETransformer(likelihood="laplace_example", max_iter=2,
    ...                      random_state=0).fit(X)
    >>> vae.likelihood_
    'laplace_example'
    """
    cls = likelihood_class
    if cls is None:
        return lambda c: register_likelihood(c, replace=replace)
    if not (inspect.isclass(cls) and issubclass(cls, Likelihood)):
        raise TypeError(f"{cls!r} is not a subclass of skvae.core.Likelihood.")
    name = cls.name
    if not isinstance(name, str) or not name or ":" in name:
        raise ValueError(
            f"{cls.__name__}.name must be a non-empty string without ':', got {name!r}."
        )
    if name in LIKELIHOODS and LIKELIHOODS[name] is not cls and not replace:
        raise ValueError(
            f"A likelihood named {name!r} is registered already "
            f"({LIKELIHOODS[name].__name__}); pick another name or pass replace=True."
        )
    LIKELIHOODS[name] = cls
    return cls


def likelihood_class(name):
    """The registered class called ``name`` (a ``ValueError`` naming the choices)."""
    if name not in LIKELIHOODS:
        raise ValueError(
            f"Unknown likelihood {name!r}; expected one of {sorted(LIKELIHOODS)} "
            "(skvae.core.register_likelihood adds one)."
        )
    return LIKELIHOODS[name]


def array_likelihoods():
    """The names that may model a whole array (not a levelled category)."""
    return sorted(n for n, cls in LIKELIHOODS.items() if not cls.levelled)


def column_likelihoods():
    """The names that may model one column of a mixed table."""
    return sorted(n for n, cls in LIKELIHOODS.items() if cls.table_column)


def automatic_column(kind):
    """The name chosen automatically for a DataFrame column of ``kind``.

    ``kind`` is "bool", "category", "ordered", "count", "spiked" or "real"; the
    registered likelihood whose ``column_kind`` it is.
    """
    for name, cls in LIKELIHOODS.items():
        if cls.column_kind == kind:
            return name
    raise ValueError(f"No registered likelihood is the automatic choice for {kind!r}.")


def parse_spec(spec):
    """``(class, n_levels)`` of one column's likelihood name ("categorical:K")."""
    name, _, levels = str(spec).partition(":")
    cls = likelihood_class(name)
    if cls.levelled != bool(levels):
        expected = f"'{name}:K' with its number of levels K" if cls.levelled else name
        raise ValueError(f"Likelihood {spec!r} is written {expected}.")
    if not levels:
        return cls, None
    n_levels = int(levels)
    if not 2 <= n_levels <= MAX_LEVELS:
        raise ValueError(
            f"A {name} column needs 2 to {MAX_LEVELS} levels, got "
            f"{n_levels}. Group rare levels, or drop an identifier column."
        )
    return cls, n_levels


def _make(cls, n_features, n_levels, var_floor):
    if cls.levelled:
        return cls(n_features, n_levels)
    if cls.has_scale:
        return cls(n_features, var_floor=var_floor)
    return cls(n_features)


def build_likelihood(spec, n_features=None, var_floor=1e-6):
    """The likelihood of a model: one name for all features, or a list per column.

    Parameters
    ----------
    spec : str or list of str
        A registered name, or one name per column (``"categorical:K"`` for
        a category with K levels, ``"ordinal:K"`` for an ordered one).
    n_features : int, optional
        Number of features; required for one name, the list's length
        otherwise.
    var_floor : float, default=1e-6
        The initial variance floor of the likelihoods with a scale.

    Returns
    -------
    likelihood : Likelihood
        A :class:`~skvae.core.likelihoods.Heterogeneous` likelihood for a
        list.

    Examples
    --------
    >>> from skvae.core import build_likelihood
    >>> build_likelihood("gaussian", 3).n_outputs
    6
    >>> lik = build_likelihood(["gaussian", "categorical:3", "gaussian"])
    >>> lik.n_outputs, lik.per_column("name")
    (7, ['gaussian', 'categorical', 'gaussian'])
    """
    if isinstance(spec, str):
        cls, n_levels = parse_spec(spec)
        if n_features is None:
            raise ValueError("n_features is required for one likelihood name.")
        return _make(cls, n_features, n_levels, var_floor)
    specs = [str(s) for s in spec]
    if n_features is not None and n_features != len(specs):
        raise ValueError(f"{len(specs)} column likelihoods for {n_features} features.")
    groups = {}  # one block per name ("categorical:K" for all K-level columns)
    for j, s in enumerate(specs):
        groups.setdefault(s, []).append(j)
    blocks = []
    for s, columns in groups.items():
        cls, n_levels = parse_spec(s)
        if not cls.table_column:
            raise ValueError(
                f"likelihood {s!r} models a whole array only, not a column of a "
                f"mixed table; column likelihoods are {column_likelihoods()}."
            )
        blocks.append((_make(cls, len(columns), n_levels, var_floor), columns))
    return Heterogeneous(blocks, specs)
