using AutoCkpt.Examples.ResNet;
using TorchSharp;

var target = new ResNetSmall();
var device = torch.CPU;
using var model = target.CreateModel(device);
using var optimizer = target.CreateOptimizer(model)!;
model.train();
var sw = System.Diagnostics.Stopwatch.StartNew();
for (int step = 0; step < 100; step++)
{
    using var scope = torch.NewDisposeScope();
    var (x, y) = target.CreateBatch(device, target.DefaultBatchSize);
    optimizer.zero_grad();
    var loss = target.Loss(model.call(x), y);
    loss.backward();
    optimizer.step();
    if (step % 10 == 0) Console.WriteLine($"step {step} loss {loss.item<float>():F3} {sw.Elapsed.TotalSeconds:F1}s");
}
