"""Synthetic rows through the ordinary call: draws, conditions, constant columns,
and the imputer on rows with nothing observed."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from pandas.testing import assert_frame_equal
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skvae import VAEImputer, VAEOutlierDetector, VAETransformer, load
from skvae._estimators._table import TableSchema
from skvae.core._inference import sample_rows

FAST = {"hidden_layer_sizes": (32, 16), "random_state": 0}
P_COLOUR = {"red": 0.5, "green": 0.3, "blue": 0.2}
P_FLAG = {"red": 0.9, "green": 0.5, "blue": 0.1}  # P(flag = yes | colour)


def _table(n, seed=0):
    """colour (3 levels), flag (depends on colour), size (a real, shifted by
    colour) and a constant region."""
    rng = np.random.RandomState(seed)
    colour = rng.choice(list(P_COLOUR), n, p=list(P_COLOUR.values()))
    p_flag = np.vectorize(P_FLAG.get)(colour)
    flag = np.where(rng.rand(n) < p_flag, "yes", "no")
    shift = np.vectorize({"red": 0.0, "green": 2.0, "blue": 4.0}.get)(colour)
    return pd.DataFrame(
        {
            "colour": pd.Categorical(colour, categories=list(P_COLOUR)),
            "flag": flag.astype(object),
            "size": shift + 0.3 * rng.randn(n),
            "region": "north",
        }
    )


@pytest.fixture(scope="module")
def table():
    return _table(3000)


@pytest.fixture(scope="module")
def fitted(table):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return VAETransformer(**FAST).fit(table)


def _within_sampling_error(drawn, real, n_draw, n_real, alpha=1e-3):
    """Chi-square bound on the difference of two frequency vectors, each from a
    finite sample (the training rows and the drawn rows)."""
    levels = sorted(set(real) | set(drawn))
    p = np.array([real.get(v, 0.0) for v in levels])
    q = np.array([drawn.get(v, 0.0) for v in levels])
    var = p * (1.0 / n_real + 1.0 / n_draw)
    keep = p > 0
    statistic = float(((q - p)[keep] ** 2 / var[keep]).sum())
    return statistic <= stats.chi2.ppf(1 - alpha, keep.sum() - 1), statistic


def test_sample_draws_rows_with_the_tables_category_frequencies(fitted, table):
    drawn = fitted.sample(5000, random_state=0)
    assert list(drawn.columns) == list(table.columns)
    for column in ("colour", "flag"):
        real = table[column].value_counts(normalize=True).to_dict()
        freq = drawn[column].value_counts(normalize=True).to_dict()
        ok, statistic = _within_sampling_error(freq, real, 5000, len(table))
        assert ok, (column, freq, real, statistic)
    # draws, not means: the real column keeps its spread
    assert 0.8 < drawn["size"].std() / table["size"].std() < 1.2
    means = fitted.sample(2000, random_state=0, mean=True)
    assert means["flag"].value_counts(normalize=True).max() > 0.6  # the mode wins


def test_the_default_draws_except_for_images():
    rng = np.random.RandomState(0)
    real = rng.randn(300, 4)
    vae = VAETransformer(max_iter=3, **FAST).fit(real)
    a, b = vae.sample(50, random_state=1), vae.sample(50, random_state=1, mean=False)
    assert_array_equal(a, b)
    pixels = (rng.rand(300, 6) > 0.5).astype(float)
    bern = VAETransformer(likelihood="bernoulli", max_iter=3, **FAST).fit(pixels)
    means = bern.sample(50, random_state=1)
    assert_array_equal(means, bern.sample(50, random_state=1, mean=True))
    assert not np.isin(means, [0.0, 1.0]).all()  # probabilities, not bits


def test_conditions_hold_exactly_and_the_rest_follows_them(fitted):
    """The conditional draws are the model's own conditional (as a large
    unconditional sample shows it), and close to the table's."""
    joint = fitted.sample(30_000, random_state=1)
    for colour, p_yes in P_FLAG.items():
        drawn = fitted.sample(2000, random_state=2, given={"colour": colour})
        assert (drawn["colour"] == colour).all()
        assert drawn["colour"].dtype == pd.CategoricalDtype(list(P_COLOUR))
        freq = drawn["flag"].value_counts(normalize=True).to_dict()
        rows = joint[joint["colour"] == colour]
        model = rows["flag"].value_counts(normalize=True).to_dict()
        ok, statistic = _within_sampling_error(freq, model, 2000, len(rows))
        assert ok, (colour, freq, model, statistic)
        assert abs(freq.get("yes", 0.0) - p_yes) < 0.06, (colour, freq)
    # and the other way round: the colour given a real value
    drawn = fitted.sample(500, random_state=3, given={"size": 4.0})
    assert (drawn["size"] == 4.0).all()
    assert (drawn["colour"] == "blue").mean() > 0.9


def test_conditions_row_by_row_and_their_errors(fitted):
    rows = pd.DataFrame({"colour": ["red", "blue"], "flag": ["no", np.nan]})
    drawn = fitted.sample(2, random_state=0, given=rows)
    assert drawn["colour"].tolist() == ["red", "blue"]
    assert drawn.loc[0, "flag"] == "no"
    assert drawn["region"].eq("north").all() and drawn["size"].notna().all()
    with pytest.raises(ValueError, match="pass n_samples=2"):
        fitted.sample(5, given=rows)
    moved = fitted.sample(2, random_state=0, given=rows.set_axis([10, 3]))
    assert moved.index.tolist() == [10, 3]  # row for row, as the imputer's fills
    assert moved.reset_index(drop=True).equals(drawn)
    by_lists = {"colour": ["red", "blue"], "flag": ["no", np.nan]}
    assert fitted.sample(2, random_state=0, given=by_lists).equals(drawn)
    broadcast = fitted.sample(2, random_state=0, given={"colour": ["red", "red"]})
    assert broadcast.equals(fitted.sample(2, random_state=0, given={"colour": "red"}))
    with pytest.raises(ValueError, match="pass n_samples=3"):
        fitted.sample(2, given={"colour": ["red", "blue", "red"]})
    with pytest.raises(ValueError, match=r"not columns the model was fitted on"):
        fitted.sample(3, given={"shade": 1})
    with pytest.raises(ValueError, match="levels not seen during fit"):
        fitted.sample(3, given={"colour": "purple"})
    again = fitted.sample(4, random_state=5, given={"colour": "green"})
    assert again.equals(fitted.sample(4, random_state=5, given={"colour": "green"}))


def test_conditions_with_holes_in_an_integer_column():
    # a test row passed as conditions: its Int64 holes are pd.NA, free entries
    rng = np.random.RandomState(0)
    n = 300
    frame = pd.DataFrame(
        {
            "a": rng.randn(n),
            "k": pd.array(rng.randint(0, 5, n), dtype="Int64"),
            "c": pd.Categorical(rng.choice(["x", "y"], n)),
        }
    )
    frame.loc[:10, "k"] = pd.NA
    vae = VAETransformer(max_iter=3, **FAST).fit(frame)
    assert vae.likelihood_["k"] == "ordinal"
    given = frame.iloc[5:15].assign(c=np.nan)
    drawn = vae.sample(10, random_state=0, given=given)
    held = given["k"].notna().to_numpy()
    assert_array_equal(drawn["k"][held], given["k"][held])
    assert drawn["k"].notna().all() and drawn["k"].dtype == "Int64"
    assert_array_equal(drawn["a"], given["a"])
    # the same numbers as objects (pd.NA, None) read as the Int64 column does
    as_objects = frame.iloc[:20].astype({"k": object})
    as_objects.loc[1, "k"] = None
    assert_array_equal(vae.transform(as_objects), vae.transform(frame.iloc[:20]))


def test_draws_stay_within_each_number_columns_range(tmp_path):
    # a likelihood's support is wider than a column's values: a Gaussian
    # draws negative amounts, a negative binomial ages below the youngest
    rng = np.random.RandomState(0)
    n = 400
    frame = pd.DataFrame(
        {
            "amount": rng.exponential(1.0, n),
            "age": pd.array(17 + rng.negative_binomial(2, 0.1, n), dtype="Int64"),
            "kind": pd.Categorical(rng.choice(["a", "b"], n)),
        }
    )
    vae = VAETransformer(max_iter=20, **FAST).fit(frame)
    assert vae.likelihood_["age"] == "negbin"
    seed = np.random.RandomState(0).randint(np.iinfo(np.int32).max)  # sample's
    unbounded = vae._space.output(sample_rows(vae.module_, 4000, seed, mean=False))
    assert (unbounded["amount"] < 0).any() and (unbounded["age"] < 17).any()
    path = tmp_path / "model.skvae"
    vae.save(path)
    given = pd.DataFrame({"kind": ["a"] * 3999 + [np.nan], "amount": np.nan})
    given.loc[0, "amount"] = -5.0  # a condition beyond the range is kept
    for model in (vae, load(path)):
        free = model.sample(4000, random_state=0, given=given).iloc[1:]
        for drawn in (model.sample(4000, random_state=0), free):
            for column in ("amount", "age"):
                values = drawn[column].astype(float)
                assert values.min() >= frame[column].min()
                assert values.max() <= frame[column].max()
    assert vae.sample(3, random_state=0, given=given.iloc[:3])["amount"][0] == -5.0
    # the draws inside the range are the model's own
    drawn = vae.sample(4000, random_state=0)
    inside = unbounded["amount"].between(frame["amount"].min(), frame["amount"].max())
    assert_array_equal(drawn["amount"][inside], unbounded["amount"][inside])
    # a model saved without ranges draws as before
    schema = vae._space.table.to_dict()
    del schema["ranges"]
    assert TableSchema.from_dict(schema).ranges == [None, None, None]


def test_a_dataframe_of_floats_is_its_array_unless_likelihood_is_a_dict():
    rng = np.random.RandomState(0)
    n = 300
    frame = pd.DataFrame(
        {
            "amount": rng.exponential(1.0, n),
            "rating": rng.randint(1, 6, n).astype(float),
        }
    )
    as_array = VAETransformer(max_iter=20, **FAST).fit(frame)
    assert as_array.likelihood_ == "gaussian"
    drawn = as_array.sample(5, random_state=0)
    plain = VAETransformer(max_iter=20, **FAST).fit(frame.to_numpy())
    assert_array_equal(drawn, plain.sample(5, random_state=0))
    # likelihood={} reads it per column, as a table with other dtypes is read
    table = VAETransformer(max_iter=20, likelihood={}, **FAST).fit(frame)
    assert table.likelihood_ == {"amount": "gaussian", "rating": "ordinal"}
    drawn = table.sample(2000, random_state=0)
    assert list(drawn.columns) == ["amount", "rating"]
    assert set(drawn["rating"]) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert drawn["amount"].min() >= frame["amount"].min()


def test_conditions_on_an_array_by_index_or_nan():
    rng = np.random.RandomState(0)
    z = rng.randn(600, 1)
    X = np.c_[z, z + 0.05 * rng.randn(600, 1), rng.randn(600, 1)]
    vae = VAETransformer(1, max_iter=100, **FAST).fit(X)
    drawn = vae.sample(400, random_state=0, given={0: 1.5})
    assert (drawn[:, 0] == 1.5).all()
    assert abs(np.median(drawn[:, 1]) - 1.5) < 0.3  # follows the given column
    cond = np.full((2, 3), np.nan)
    cond[0, 2] = -1.0
    drawn = vae.sample(2, random_state=0, given=cond)
    assert drawn[0, 2] == -1.0 and not np.isnan(drawn).any()
    with pytest.raises(ValueError, match="shape"):
        vae.sample(3, given=cond)


def test_constant_columns_are_kept_as_constants_everywhere(table):
    frame = table.iloc[:400].assign(
        single=pd.Categorical(["only"] * 400),
        count=7,
        sparse=np.r_[[2.5], np.full(399, np.nan)],  # one value, the rest missing
    )
    with pytest.warns(UserWarning, match=r"4 column\(s\) hold a single value"):
        vae = VAETransformer(max_iter=5, **FAST).fit(frame)
    assert vae.likelihood_["single"] == vae.likelihood_["count"] == "constant"
    assert vae.module_.config.n_features == 3  # colour, flag, size
    for out in (
        vae.sample(20, random_state=0),
        vae.inverse_transform(np.zeros((2, vae.n_components_))),
    ):
        assert (out["single"] == "only").all() and (out["count"] == 7).all()
        assert (out["sparse"] == 2.5).all() and (out["region"] == "north").all()
        pd.testing.assert_series_equal(out.dtypes, frame.dtypes)
    per_feature = vae.score_samples_per_feature(frame.iloc[:3])
    assert per_feature.shape == (3, 7) and (per_feature[:, 3:] == 0).all()
    with pytest.raises(ValueError, match="'count' has values not seen during fit"):
        vae.score_samples(frame.iloc[:3].assign(count=8))
    ignoring = VAETransformer(max_iter=5, handle_unknown="ignore", **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ignoring.fit(frame)
    assert np.isfinite(ignoring.score_samples(frame.iloc[:3].assign(count=8))).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        detector = VAEOutlierDetector(max_iter=5, **FAST).fit(frame)
        imputer = VAEImputer(max_iter=5, **FAST).fit(frame)
    assert detector.predict(frame.iloc[:5]).shape == (5,)
    holes = frame.iloc[:5].copy()
    holes.loc[0, ["single", "count", "sparse"]] = np.nan
    filled = imputer.transform(holes)
    assert filled.loc[0, "single"] == "only" and filled.loc[0, "count"] == 7
    assert filled.loc[0, "sparse"] == 2.5


def test_columns_with_no_observed_value_come_back_missing(table, tmp_path):
    # a public table can carry a column nobody filled in (Ecdat's Bwages: sex)
    n = 300
    frame = table.iloc[:n].assign(
        none_float=np.nan,
        none_category=pd.Categorical([None] * n, categories=["u", "v"]),
        none_int=pd.array([pd.NA] * n, dtype="Int64"),
    )
    with pytest.warns(UserWarning, match=r"3 column\(s\) have no observed value"):
        vae = VAETransformer(max_iter=5, **FAST).fit(frame)
    assert vae.likelihood_["none_float"] == vae.likelihood_["none_int"] == "constant"
    assert vae.module_.config.n_features == 3  # colour, flag, size
    path = tmp_path / "model.skvae"
    vae.save(path)
    for model in (vae, load(path)):
        out = model.sample(20, random_state=0)
        pd.testing.assert_series_equal(out.dtypes, frame.dtypes)
        assert out[["none_float", "none_category", "none_int"]].isna().all().all()
        assert not out[["colour", "flag", "size"]].isna().any().any()
    # they change nothing: the model is the one fitted without them
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        without = VAETransformer(max_iter=5, **FAST).fit(table.iloc[:n])
    assert_array_equal(
        vae.score_samples(frame.iloc[:5]), without.score_samples(table.iloc[:5])
    )
    with pytest.raises(ValueError, match="'none_category' has levels not seen"):
        vae.score_samples(frame.iloc[:3].assign(none_category="u"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        detector = VAEOutlierDetector(max_iter=5, **FAST).fit(frame)
        assert detector.predict(frame.iloc[:5]).shape == (5,)
        dropped = VAEImputer(max_iter=5, add_indicator=True, **FAST).fit(frame)
        kept = VAEImputer(
            max_iter=5, add_indicator=True, keep_empty_features=True, **FAST
        ).fit(frame)
    # as scikit-learn's imputers: dropped, or kept as 0
    holes = frame.iloc[:8].copy()
    holes.loc[holes.index[:3], "colour"] = None
    out = dropped.transform(holes)
    names = ["colour", "flag", "size", "region"]
    empty = ["none_float", "none_category", "none_int"]
    indicators = [f"missingindicator_{c}" for c in empty]  # the holes at fit
    assert list(out.columns) == names + indicators
    assert list(dropped.get_feature_names_out()) == names + indicators
    assert_array_equal(dropped.empty_features_, [4, 5, 6])
    assert not out[names].isna().any().any()
    assert out[indicators].all().all()
    full = kept.transform(holes)
    assert list(full.columns) == list(frame.columns) + indicators
    assert list(kept.get_feature_names_out()) == list(full.columns)
    assert (full["none_float"] == 0).all() and full["none_float"].dtype == "float64"
    assert (full["none_int"] == 0).all() and full["none_int"].dtype == "Int64"
    assert (full["none_category"] == 0).all() and full["none_category"].dtype == object
    assert_frame_equal(full[names], out[names])


def test_a_table_of_constants_is_refused():
    frame = pd.DataFrame({"a": ["x"] * 20, "b": 1.0})
    with pytest.raises(ValueError, match="nothing to model"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            VAETransformer(max_iter=2).fit(frame)


def test_a_row_with_nothing_observed_is_imputed_in_a_pipeline():
    rng = np.random.RandomState(0)
    z = rng.randn(500, 2)
    X = z @ rng.randn(2, 5) + 0.1 * rng.randn(500, 5) + 3.0
    y = (z[:, 0] > 0).astype(int)
    X_holes = X.copy()
    X_holes[rng.rand(*X.shape) < 0.2] = np.nan
    X_holes[7] = np.nan  # also in training
    model = make_pipeline(VAEImputer(max_iter=50, **FAST), LogisticRegression()).fit(
        X_holes, y
    )
    new = X[:4].copy()
    new[1] = np.nan
    assert model.predict(new).shape == (4,)
    imputer = model[0]
    filled = imputer.transform(new)
    assert not np.isnan(filled).any()
    assert_array_equal(filled[[0, 2, 3]], new[[0, 2, 3]])
    # the prior predictive mean: near the data's mean, far inside its range
    assert np.abs(filled[1] - X.mean(0)).max() < 0.5 * X.std(0).min() + 0.5
    draw = VAEImputer(max_iter=50, sample_posterior=True, **FAST).fit(X_holes)
    assert not np.isnan(draw.transform(new)).any()
