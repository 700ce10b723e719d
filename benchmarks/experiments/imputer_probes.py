"""Design-half probes of VAEImputer for issue 15: ``imputation.py`` with one change.

None of these is a default; each was measured on the design half (2 seeds,
``--quick --sets diabetes wine_quality letter --only skvae``) against the
default's rows on the same splits and masks (README, *Missing values*):

* ``heldout_stopping``: early stopping on held-out *imputation* error instead
  of the ELBO. The validation rows (``validation_fraction`` of them) lose a
  fixed random share of their observed entries (the data's own missing rate,
  clipped to [0.1, 0.5]; every row keeps one), the model imputes them with
  ``VAE.impute`` and the validation score is minus their mean squared error;
  the best epoch is restored as usual. Run with ``--variant
  NAME:early_stopping=True --only NAME``.
* ``refine3``: three rounds of proposal refinement in ``VAE.impute``
  (``n_refine=3``; the default is 1).
* ``swa``: the weights averaged over the second half of the epochs of a fit
  without a validation set (stochastic weight averaging).
* ``ensemble``: ``--members M`` imputers fitted with different seeds, their
  imputations averaged (the pooled point estimate of multiple imputation;
  M times the time).
* ``mask_input``: the encoder sees the mask of observed entries beside the
  filled data (the issue's "plus, if it helps, the mask"): its first layer
  takes 2d inputs, the filled row and the 0/1 mask. A refined proposal
  (``VAE.impute``'s second pass) keeps the row's own mask.
* ``latent``: ``n_components="auto"`` as ``ceil(F * d)`` for the modelled
  width d, with F from ``--latent-fraction`` (the default rule is F = 0.5;
  MIWAE's UCI runs use d - 1).

Usage::

    SKVAE_DATA=../shared/data OMP_NUM_THREADS=1 python \\
        benchmarks/experiments/imputer_probes.py --probe swa --quick \\
        --sets diabetes wine_quality letter --elbo-seeds 0 --only skvae \\
        --output imputation_design_s35_swa

Every argument but ``--probe NAME``, ``--latent-fraction F`` and
``--members M`` goes to ``imputation.py``.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import math

import torch
from _run import run_benchmark
from sklearn.base import clone
from torch import nn

import skvae._base
import skvae._training
from skvae import VAEImputer
from skvae._importance import ImportanceSampling
from skvae._model import VAE

_train = skvae._training.train


def _hidden_entries(X):
    """X with a fixed share of its observed entries hidden, and that mask."""
    generator = torch.Generator(device=X.device).manual_seed(12345)
    observed = ~torch.isnan(X)
    rate = min(0.5, max(0.1, 1.0 - observed.float().mean().item()))
    hide = (torch.rand(X.shape, generator=generator, device=X.device) < rate) & observed
    emptied = (observed & ~hide).sum(1) == 0  # every row keeps one observed entry
    first = observed.float().argmax(1)
    hide[emptied, first[emptied]] = False
    return torch.where(hide, torch.full_like(X, float("nan")), X), hide


def heldout_stopping():
    cache = {}

    def score(model, X_val, eps, support_fraction=1.0):
        p = next(model.parameters())
        X = torch.as_tensor(X_val, dtype=p.dtype, device=p.device)
        if cache.get("source") is not X_val:  # one fixed mask per fit
            cache.update(source=X_val, data=_hidden_entries(X))
        X_hidden, hide = cache["data"]
        model.eval()
        with torch.no_grad():
            filled = model.impute(X_hidden, eps=eps)
        return -(filled - X.nan_to_num())[hide].double().pow(2).mean().item()

    skvae._training.evaluate_elbo = score


def refine3():
    impute = ImportanceSampling.impute

    def refined(self, x, **kwargs):
        kwargs.setdefault("n_refine", 3)
        return impute(self, x, **kwargs)

    ImportanceSampling.impute = refined


def swa():
    def train(model, optimizer, X, state, config, **kwargs):
        progress = kwargs.get("on_epoch")
        average, count = {}, [0]
        start = config.max_iter // 2

        def on_epoch(record):
            if record.epoch_in_call > start:
                count[0] += 1
                for key, value in model.state_dict().items():
                    if value.is_floating_point():
                        value = value.detach()
                        old = average.get(key)
                        average[key] = (
                            value.clone()
                            if old is None
                            else old + (value - old) / count[0]
                        )
            return progress(record) if progress else None

        kwargs["on_epoch"] = on_epoch
        outcome = _train(model, optimizer, X, state, config, **kwargs)
        if count[0] and kwargs.get("X_val") is None:
            model.load_state_dict({**model.state_dict(), **average})
        return outcome

    skvae._base.train = train


class _MaskedFirstLayer(nn.Linear):
    """The encoder's first layer fed [x_in, mask]; ``observed`` sets the mask."""

    mask = None

    def forward(self, h):
        m = self.mask
        if m is None or m.shape != h.shape:  # no mask for these rows: complete
            m = torch.ones_like(h, dtype=torch.bool)
        return super().forward(torch.cat([h, m.to(h.dtype)], -1))


def mask_input():
    init, observed = VAE.__init__, VAE.observed

    def widened(self, config, *, generator=None, device=None, dtype=None):
        init(self, config, generator=generator, device=device, dtype=dtype)
        first = self.encoder[0]
        wide = _MaskedFirstLayer(
            first.in_features + config.n_features,
            first.out_features,
            device=first.weight.device,
            dtype=first.weight.dtype,
        )
        bound = 1.0 / math.sqrt(wide.in_features)  # torch's default, as VAE's
        with torch.no_grad():
            wide.weight.uniform_(-bound, bound, generator=generator)
            wide.bias.uniform_(-bound, bound, generator=generator)
        self.encoder[0] = wide

    def stash(self, x):
        x_in, mask = observed(self, x)
        self.encoder[0].mask = mask
        return x_in, mask

    VAE.__init__, VAE.observed = widened, stash


def latent(fraction):
    def n_components(self, n_features):
        if self.n_components != "auto":
            return self.n_components
        return max(1, math.ceil(fraction * int(self._valid().sum())))

    VAEImputer._n_components = n_components


def ensemble(members):
    fit, transform = VAEImputer.fit, VAEImputer.transform

    def fit_members(self, X, y=None):
        fit(self, X)
        self.members_ = []
        for i in range(1, members):
            other = clone(self).set_params(random_state=10_007 * i + self.random_state)
            self.members_.append(fit(other, X))
        return self

    def average(self, X):
        filled = [transform(m, X) for m in [self, *self.members_]]
        return sum(filled) / len(filled)

    VAEImputer.fit, VAEImputer.transform = fit_members, average


PROBES = {
    "heldout_stopping": heldout_stopping,
    "refine3": refine3,
    "swa": swa,
    "latent": latent,
    "ensemble": ensemble,
    "mask_input": mask_input,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--probe", required=True, choices=list(PROBES))
    parser.add_argument("--latent-fraction", type=float, default=0.5)
    parser.add_argument("--members", type=int, default=2)
    args, rest = parser.parse_known_args()
    if args.probe == "latent":
        latent(args.latent_fraction)
    elif args.probe == "ensemble":
        ensemble(args.members)
    else:
        PROBES[args.probe]()
    run_benchmark("imputation.py", rest)


if __name__ == "__main__":
    main()
