#!/usr/bin/env python3
"""Toy benchmark, Python side: the computation of bench/toy_bench.cpp in a plain PyTorch loop.

Same MLP denoiser (4 residual blocks of width 256, positional noise embedding), same losses (DDPM
epsilon, EDM preconditioned, flow matching), the same training step (loss, backward, NaN guard, Adam,
EMA by one fused foreach lerp) and the same samplers (DDPM ancestral over 1000 steps, EDM Heun with 18
steps, flow-matching Euler with 100 steps; float64 state, float32 network). Prints JSON lines.
    .venv/bin/python bench/toy_bench.py [--steps N] [--samples N] [--width W] [--precision fp32|bf16]
bf16: bfloat16 autocast around the loss in training, as the C++ Trainer's bf16 option; sampling float32.
--profile: instead, profile 100 DDPM training steps (torch.profiler) and print the time per step spent
in matrix products (aten::mm, aten::addmm) next to the whole step: the floor no implementation of this
computation can go below.
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F


class Mlp(torch.nn.Module):
    def __init__(self, dim=2, width=256, depth=4, emb=64):
        super().__init__()
        self.emb = emb
        self.noise_fc0 = torch.nn.Linear(emb, width)
        self.noise_fc1 = torch.nn.Linear(width, width)
        self.input = torch.nn.Linear(dim, width)
        self.blocks = torch.nn.ModuleList([torch.nn.Linear(width, width) for _ in range(depth)])
        self.output = torch.nn.Linear(width, dim)

    def forward(self, x, level):
        half = self.emb // 2
        freqs = (1.0 / 10000.0) ** (torch.arange(half, dtype=torch.float32) / half)
        ang = level.float()[:, None] * freqs[None]
        c = self.noise_fc1(F.silu(self.noise_fc0(torch.cat([ang.cos(), ang.sin()], 1))))
        h = self.input(x)
        for b in self.blocks:
            h = h + b(F.silu(h + c))
        return self.output(F.silu(h))


def net64(net, x, level):
    return net(x.float(), level.float()).double()


class Ddpm:
    def __init__(self, T=1000):
        self.T = T
        self.betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
        self.abar = torch.cumprod(1 - self.betas, 0)

    def loss(self, net, x0):
        t = torch.randint(self.T, (x0.shape[0],))
        eps = torch.randn_like(x0)
        ab = self.abar[t].float()[:, None]
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
        return (net(xt, t.float()) - eps).square().flatten(1).mean(1)

    @torch.no_grad()
    def sample(self, net, n):
        x = torch.randn(n, 2, dtype=torch.float64)
        b, ab = self.betas.tolist(), self.abar.tolist()
        for t in range(self.T - 1, -1, -1):
            prev = ab[t - 1] if t > 0 else 1.0
            eps = net64(net, x, torch.full((n,), float(t), dtype=torch.float64))
            x0 = (x - math.sqrt(1 - ab[t]) * eps) / math.sqrt(ab[t])
            mean = b[t] * math.sqrt(prev) / (1 - ab[t]) * x0 + (1 - prev) * math.sqrt(1 - b[t]) / (1 - ab[t]) * x
            x = mean + math.sqrt(b[t]) * torch.randn_like(x) if t > 0 else mean
        return x.float()


class Edm:
    def __init__(self, sd=0.5, steps=18, smin=0.002, smax=80.0, rho=7.0):
        self.sd, self.steps, self.smin, self.smax, self.rho = sd, steps, smin, smax, rho

    def denoise(self, net, x, sigma):
        sd = self.sd
        s = sigma[:, None]
        c_skip = sd**2 / (s**2 + sd**2)
        c_out = s * sd / (s**2 + sd**2).sqrt()
        c_in = 1 / (sd**2 + s**2).sqrt()
        f = net(x * c_in, sigma.log() / 4) if x.dtype == torch.float32 else net64(net, x * c_in, sigma.log() / 4)
        return c_skip * x + c_out * f

    def loss(self, net, x0):
        sigma = (torch.randn(x0.shape[0]) * 1.2 - 1.2).exp()
        w = (sigma**2 + self.sd**2) / (sigma * self.sd) ** 2
        d = self.denoise(net, x0 + torch.randn_like(x0) * sigma[:, None], sigma)
        return w * (d - x0).square().flatten(1).sum(1)

    @torch.no_grad()
    def sample(self, net, n):
        i = torch.arange(self.steps, dtype=torch.float64)
        a, b = self.smax ** (1 / self.rho), self.smin ** (1 / self.rho)
        t = torch.cat([(a + i / (self.steps - 1) * (b - a)) ** self.rho, torch.zeros(1, dtype=torch.float64)])
        x = torch.randn(n, 2, dtype=torch.float64) * t[0]
        for k in range(self.steps):
            tc, tn = t[k].item(), t[k + 1].item()
            d = (x - self.denoise(net, x, torch.full((n,), tc, dtype=torch.float64))) / tc
            xn = x + (tn - tc) * d
            if k < self.steps - 1:
                d2 = (xn - self.denoise(net, xn, torch.full((n,), tn, dtype=torch.float64))) / tn
                xn = x + (tn - tc) * (0.5 * d + 0.5 * d2)
            x = xn
        return x.float()


class Cfm:
    def __init__(self, steps=100):
        self.steps = steps

    def loss(self, net, x1):
        t = torch.rand(x1.shape[0])
        x0 = torch.randn_like(x1)
        xt = (1 - t[:, None]) * x0 + t[:, None] * x1
        return (net(xt, t) - (x1 - x0)).square().flatten(1).mean(1)

    @torch.no_grad()
    def sample(self, net, n):
        x = torch.randn(n, 2, dtype=torch.float64)
        h = 1.0 / self.steps
        for k in range(self.steps):
            x = x + h * net64(net, x, torch.full((n,), k * h, dtype=torch.float64))
        return x.float()


def profile_steps(step, steps):
    from torch.profiler import ProfilerActivity, profile

    t0 = time.perf_counter()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    total_ms = 1000 * (time.perf_counter() - t0) / steps
    gemm_us = sum(e.self_cpu_time_total for e in prof.key_averages() if e.key in ("aten::mm", "aten::addmm"))
    print(json.dumps({"profiled_steps": steps, "step_ms_under_profiler": total_ms,
                      "matrix_product_ms_per_step": gemm_us / 1000 / steps}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    torch.manual_seed(0)
    data = torch.randn(8192, 2)
    batch, warmup = 256, 20
    for name, method in (("ddpm", Ddpm()), ("edm", Edm()), ("cfm", Cfm())):
        net = Mlp(width=args.width)
        ema = Mlp(width=args.width)
        ema.load_state_dict(net.state_dict())
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        params, ema_params = list(net.parameters()), list(ema.parameters())

        def step():
            idx = torch.randint(data.shape[0], (batch,))
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"):
                loss = method.loss(net, data[idx]).float().mean()
            loss.backward()
            for p in params:
                p.grad.nan_to_num_(0.0, 1e5, -1e5)
            opt.step()
            with torch.no_grad():
                torch._foreach_lerp_(ema_params, params, 1 - 0.999)

        for _ in range(warmup):
            step()
        if args.profile:
            profile_steps(step, args.steps)
            return
        t0 = time.perf_counter()
        for _ in range(args.steps):
            step()
        step_ms = 1000 * (time.perf_counter() - t0) / args.steps
        t0 = time.perf_counter()
        method.sample(ema, args.samples)
        sample_s = time.perf_counter() - t0
        print(json.dumps({"impl": "python", "method": name, "train_step_ms": step_ms, "sample_s": sample_s,
                          "samples": args.samples, "width": args.width, "precision": args.precision,
                          "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
