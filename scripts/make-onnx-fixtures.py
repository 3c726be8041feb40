#!/usr/bin/python3
"""ONNX fixtures for src/graph/formats/onnx-import.test.ts, exported by real PyTorch (torch.onnx.export, opset 13).

Regenerate (needs Debian's python3-torch and python3-onnx; use /usr/bin/python3):
    /usr/bin/python3 scripts/make-onnx-fixtures.py
It writes src/graph/formats/fixtures/onnx/<name>.onnx and <name>.json (expected params in Keras' convention, MACs,
shapes, a fixed input and PyTorch's output on it). Seeds are fixed, so the files only change with PyTorch itself.

The three models cover the patterns exporters produce:
- lenet5: Conv/Relu/MaxPool, `x.reshape(-1, 400)` (a Reshape with a constant shape of NCHW data, so the first Linear's
  rows are in C·H·W order), Gemm, Softmax; default export (constant folding on).
- resnet_small: Conv + BatchNormalization kept apart (training=PRESERVE on an eval() model skips the exporter's
  Conv+BN fusion; do_constant_folding=False), MaxPool with PyTorch padding (not TF 'same'), basic blocks with Add and a
  strided 1×1 projection shortcut, GlobalAveragePool, Flatten, Gemm.
- mobilenet_block: depthwise convs (groups = channels) and pointwise convs with BatchNorm folded in by the default
  export, ReLU6 (Clip 0..6), a Linear applied channels-last between two Transposes (MatMul + Add), LeakyRelu, Dropout,
  GlobalAveragePool, Gemm.
"""
import json
import os

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'graph', 'formats', 'fixtures', 'onnx')


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.reshape(-1, 400)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.softmax(self.fc3(x), dim=1)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (self.down(x) if self.down is not None else x))


class ResNetSmall(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = BasicBlock(8, 8, 1)
        self.layer2 = BasicBlock(8, 16, 2)
        self.layer3 = BasicBlock(16, 16, 1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.gap(x), 1))


def dw_block(cin, cout, stride):
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU6(),
        nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
    )


class MobileNetBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU6())
        self.block1 = dw_block(8, 16, 1)
        self.block2 = dw_block(16, 32, 2)
        self.mix = nn.Linear(32, 24)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = self.block2(self.block1(self.stem(x)))
        # A channel mixer applied channels-last: Transpose, MatMul + Add, Transpose back.
        x = F.leaky_relu(self.mix(x.permute(0, 2, 3, 1)), 0.1).permute(0, 3, 1, 2)
        x = self.drop(F.adaptive_avg_pool2d(x, 1))
        return self.fc(torch.flatten(x, 1))


def randomise_bn(model, g):
    """Non-trivial BatchNorm statistics and affine terms, so a wrong mapping shows in the outputs."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.2)
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.2)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)


def keras_counts(model, folded):
    """Params as Keras counts them. BatchNorm: γ, β trainable and the moving mean/variance not. When the exporter
    folds a BatchNorm into the conv before it, the pair becomes one conv with a bias."""
    trainable = non_trainable = 0
    mods = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear, nn.BatchNorm2d))]
    for i, m in enumerate(mods):
        if isinstance(m, nn.BatchNorm2d):
            if folded:
                continue
            trainable += 2 * m.num_features
            non_trainable += 2 * m.num_features
            continue
        trainable += m.weight.numel()
        bn_next = i + 1 < len(mods) and isinstance(mods[i + 1], nn.BatchNorm2d)
        if m.bias is not None:
            trainable += m.bias.numel()
        elif folded and bn_next:
            trainable += m.weight.shape[0]
    return trainable, non_trainable


def macs(model, x):
    """Multiply-accumulates of conv and linear layers, bias excluded (torchvision's convention)."""
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            total[0] += out.numel() * m.kernel_size[0] * m.kernel_size[1] * m.in_channels // m.groups
        else:
            total[0] += out.numel() * m.in_features

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(x)
    for h in hs:
        h.remove()
    return total[0]


def export(name, model, shape, seed, folded, **kw):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    randomise_bn(model, g)
    model.eval()
    x = torch.randn(*shape, generator=g)
    path = os.path.join(OUT, f'{name}.onnx')
    torch.onnx.export(model, x, path, opset_version=13, input_names=['input'], output_names=['output'], **kw)
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        y = model(x)
    trainable, non_trainable = keras_counts(model, folded)
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    expected = {
        'source': f'torch {torch.__version__}, torch.onnx.export opset 13; scripts/make-onnx-fixtures.py',
        'ops': ops,
        'params': {'total': trainable + non_trainable, 'trainable': trainable, 'nonTrainable': non_trainable},
        'macs': macs(model, x),
        'inputShape': list(shape),
        'outputShape': list(y.shape),
        'input': [float(v) for v in x.flatten()],
        'output': [float(v) for v in y.flatten()],
    }
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')
    print(f'{name}: {os.path.getsize(path)} bytes, ops {", ".join(ops)}, params {expected["params"]}, MACs {expected["macs"]}')


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(1)
    export('lenet5', LeNet5(), (1, 1, 28, 28), 1, folded=False)
    torch.manual_seed(2)
    export('resnet_small', ResNetSmall(), (1, 3, 16, 16), 2, folded=False,
           training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    torch.manual_seed(3)
    export('mobilenet_block', MobileNetBlock(), (1, 3, 32, 32), 3, folded=True)


if __name__ == '__main__':
    main()
