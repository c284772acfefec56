"""The baseline of ``bench.py``: one prior + one I-MLP trained the way most public repositories do it.

PIL images through ``torchvision.transforms`` (RandomCrop(32, padding=4), RandomHorizontalFlip, ToTensor,
Normalize), a shuffling ``DataLoader``, the I-MLP as a plain ``nn.Sequential`` of ``nn.Linear``,
``nn.LayerNorm`` and ``nn.GELU``, the prior as it is, two default ``torch.optim.Adam``. It computes the
same functions as the engine's K = 1 sweep (same layer shapes, normalisation and activations); only
the way it is fed and stored differs.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import torch
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset

from imlp_core.models import MLPSpec, build_prior


class PILImages(Dataset):
    """uint8 (N, 3, 32, 32) images as PIL images, transformed on access, as torchvision's CIFAR10 does."""

    def __init__(self, images: Tensor, labels: Tensor, transform: T.Compose) -> None:
        self.images = [Image.fromarray(image.permute(1, 2, 0).numpy()) for image in images]
        self.labels = labels.tolist()
        self.transform = transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[Tensor, int]:
        return self.transform(self.images[i]), self.labels[i]


class TokenMean(nn.Module):
    """(N, S * C) -> (N, C): the mean over S tokens that the Mixer's head sees."""

    def __init__(self, tokens: int) -> None:
        super().__init__()
        self.tokens = tokens

    def forward(self, h: Tensor) -> Tensor:
        return h.unflatten(-1, (self.tokens, -1)).mean(-2)


def sequential_mlp(spec: MLPSpec) -> nn.Sequential:
    """One I-MLP of ``spec`` as layers in a row (a per-token LayerNorm unflattens to (S, C) around it)."""
    layers: list[nn.Module] = [nn.Flatten()]
    for d_in, d_out, groups, gelu in zip(spec.widths, spec.widths[1:], spec.norm_groups, spec.gelu):
        layers.append(nn.Linear(d_in, d_out))
        if groups == 1:
            layers.append(nn.LayerNorm(d_out, elementwise_affine=False))
        elif groups is not None:
            layers += [nn.Unflatten(1, (groups, d_out // groups)),
                       nn.LayerNorm(d_out // groups, elementwise_affine=False), nn.Flatten()]
        if gelu:
            layers.append(nn.GELU())
    if spec.head_tokens > 1:
        layers.append(TokenMean(spec.head_tokens))
    layers.append(nn.Linear(spec.head_features, spec.num_classes))
    return nn.Sequential(*layers)


class NaiveRun:
    """One prior and one I-MLP, fed by a DataLoader over PIL images; ``step()`` trains both on one batch."""

    def __init__(self, prior_name: str, images: Tensor, labels: Tensor, mean, std, num_classes: int,
                 batch_size: int = 128, num_workers: int = 0, device: torch.device | str = "cpu") -> None:
        transform = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                               T.Normalize(mean, std)])
        loader = DataLoader(PILImages(images, labels, transform), batch_size=batch_size, shuffle=True,
                            drop_last=True, num_workers=num_workers, persistent_workers=num_workers > 0,
                            pin_memory=torch.device(device).type == "cuda")
        self.batches: Iterator = itertools.chain.from_iterable(itertools.repeat(loader))  # epoch after epoch
        self.device = torch.device(device)
        self.prior = build_prior(prior_name, num_classes).to(device)
        self.mlp = sequential_mlp(self.prior.mlp_spec()).to(device)
        self.prior_opt = torch.optim.Adam(self.prior.parameters(), lr=1e-4)
        self.mlp_opt = torch.optim.Adam(self.mlp.parameters(), lr=1e-4)

    def step(self) -> None:
        x, y = next(self.batches)
        x, y = x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)
        for model, optimizer in ((self.prior, self.prior_opt), (self.mlp, self.mlp_opt)):
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
