#!/usr/bin/python3
"""PyTorch CPU reference for scripts/bench.ts: the same training problems as
lib/tf/kernels/reference-nets.ts and lib/vision/ssl/bench.ts, timed the same way (median ms per optimiser step
after warm-up).

Run with Debian's Python (which has python3-torch): /usr/bin/python3 scripts/bench_pytorch.py
Prints one JSON object per line: {"bench", "backend": "pytorch", "ms_per_step", "steps", "loss_first", "loss_last"}.
Options: --threads N (default 2), --only conv_train_step,mlp_train_step,simclr_train_step, --steps-scale F.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def stripe_images(batch, size, seed):
    g = torch.Generator().manual_seed(seed)
    classes = torch.arange(batch) % 8
    coords = torch.arange(size, dtype=torch.float32) / size
    yy = coords.view(1, size, 1)
    xx = coords.view(1, 1, size)
    theta = (classes.float() * math.pi / 8).view(batch, 1, 1)
    phase = (xx * torch.cos(theta) + yy * torch.sin(theta)) * (2 * math.pi * 6)
    x = torch.sin(phase) + torch.randn(batch, size, size, generator=g)
    return x.view(batch, 1, size, size), classes


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        # TF 'same' at stride 2 pads (1, 2) / (0, 1); symmetric padding 2 / 1 gives the same output sizes.
        self.c1 = nn.Conv2d(1, 32, 5, stride=2, padding=2)
        self.c2 = nn.Conv2d(32, 64, 3, stride=2, padding=1)
        self.c3 = nn.Conv2d(64, 128, 3, stride=2, padding=1)
        self.fc = nn.Linear(128, 8)

    def forward(self, x):
        h = F.relu(self.c1(x))
        h = F.relu(self.c2(h))
        h = F.relu(self.c3(h))
        return self.fc(h.mean(dim=(2, 3)))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(28, 256)
        self.l2 = nn.Linear(256, 256)
        self.l3 = nn.Linear(256, 8)

    def forward(self, x):
        return self.l3(torch.tanh(self.l2(torch.tanh(self.l1(x)))))


def adam_step(net, loss_fn):
    """One training step as the kit's benches take it: Adam (lr 1e-3) on loss_fn(); returns the step function."""
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def conv_problem():
    torch.manual_seed(1)
    x, y = stripe_images(64, 64, 1)
    net = ConvNet()
    return adam_step(net, lambda: F.cross_entropy(net(x), y))


def mlp_problem():
    torch.manual_seed(2)
    x = torch.randn(256, 28)
    target = torch.sin(x @ (0.3 * torch.randn(28, 8)))
    net = Mlp()
    return adam_step(net, lambda: F.mse_loss(net(x), target))


class BasicBlock(nn.Module):
    """ResNet basic block: two 3x3 conv + BN, identity or 1x1 conv + BN shortcut (lib/vision/ssl/backbone.ts)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout, momentum=0.1, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, momentum=0.1, eps=1e-5)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


class ResNetS(nn.Module):
    """RESNET_S of lib/vision/ssl/backbone.ts: stem 5x5/2 16 ch + BN, blocks 16, 32/2, 64/2, 128/2, global pool."""

    def __init__(self):
        super().__init__()
        # TF 'same' at stride 2 pads (1, 2); symmetric padding 2 gives the same output size.
        self.stem = nn.Conv2d(1, 16, 5, stride=2, padding=2, bias=False)
        self.stem_bn = nn.BatchNorm2d(16)
        self.blocks = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 32, 2), BasicBlock(32, 64, 2), BasicBlock(64, 128, 2))

    def forward(self, x):
        return self.blocks(F.relu(self.stem_bn(self.stem(x)))).mean(dim=(2, 3))


def info_nce(z, temperature):
    """SimCLR's NT-Xent; rows i and i + N are a positive pair (lib/vision/ssl/simclr.ts infoNCE)."""
    n = z.shape[0] // 2
    u = F.normalize(z, dim=1)
    logits = u @ u.t() / temperature
    logits = logits - 1e9 * torch.eye(2 * n)
    partner = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(logits, partner)


def simclr_problem(pairs=128):
    """lib/vision/ssl/bench.ts makeSimclrProblem: 128 fixed pairs (an image, its mirror image plus noise)."""
    torch.manual_seed(3)
    x = torch.randn(pairs, 1, 64, 64)
    views = torch.cat([x, torch.flip(x, dims=[3]) + 0.1 * torch.randn(pairs, 1, 64, 64)])
    net = nn.Sequential(ResNetS(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 64))
    return adam_step(net, lambda: info_nce(net(views), 0.5))


BENCHES = {
    "conv_train_step": (conv_problem, 5, 30),
    "mlp_train_step": (mlp_problem, 20, 200),
    "simclr_train_step": (simclr_problem, 3, 15),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default=",".join(BENCHES))
    ap.add_argument("--steps-scale", type=float, default=1.0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for name in args.only.split(","):
        if name not in BENCHES:
            continue
        make, warmup, steps = BENCHES[name]
        steps = max(3, int(steps * args.steps_scale))
        step = make()
        losses = [step() for _ in range(warmup)]
        times = []
        for _ in range(steps):
            t0 = time.perf_counter()
            losses.append(step())
            times.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({
            "bench": name, "backend": "pytorch", "ms_per_step": round(statistics.median(times), 3),
            "steps": steps, "loss_first": float(f"{losses[0]:.4g}"), "loss_last": float(f"{losses[-1]:.4g}"),
            "detail": f"torch {torch.__version__}, {torch.get_num_threads()} threads",
        }), flush=True)


if __name__ == "__main__":
    sys.exit(main())
