//! Steady-state training steps per second of an MLP on the tensor backend, the chainrule side of
//! `bench/compare_mlp.py`: a fixed random batch, ReLU hidden layers, BCE-with-logits for one output or softmax
//! cross-entropy for K, plain SGD (lr 0.01); each step is forward, loss, backward and the optimizer's update.
//!
//! `cargo run --release --features probes --example mlp_throughput -- 784-256-256-10 128 2 [seconds] [tensor|scalar]` prints one JSON
//! line: sizes, batch, threads, steps per second and microseconds per step, after a warm-up. With `PROBE=1` it also
//! prints the largest score and the time of each phase (forward, loss, backward, optimizer) on standard error.
//! `ACT=tanh` (or any activation `chainrule train` takes) replaces ReLU.
//! `ADAPTIVE=0` makes two threads split at every chance, even while splitting loses (`chainrule::parallel`).
//!
//! `scalar` runs micrograd's demo workload on the scalar engine instead (one node per multiply-add, f64): the net
//! unrolled on the whole batch, micrograd's hinge loss max(0, 1 − y·s) plus 1e-4·Σw², backward, SGD.

use std::time::Instant;

use chainrule::nn::{Init, Mlp, MlpSpec, Mode};
use chainrule::optim::{OptimSpec, Optimizer};
use chainrule::scalar::Unary;
use chainrule::tensor::{Loss, gemm};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes: Vec<usize> = args
        .first()
        .map(String::as_str)
        .unwrap_or("784-256-256-10")
        .split('-')
        .map(|s| s.parse().expect("sizes like 784-256-256-10"))
        .collect();
    let batch: usize = args.get(1).map(|s| s.parse().expect("a batch size")).unwrap_or(128);
    let threads: usize = args.get(2).map(|s| s.parse().expect("1 or 2 threads")).unwrap_or(1);
    let seconds: f64 = args.get(3).map(|s| s.parse().expect("seconds")).unwrap_or(2.0);
    if args.get(4).map(String::as_str) == Some("scalar") {
        return scalar(&sizes, batch, seconds);
    }
    gemm::set_threads(threads);
    if let Some(macs) = std::env::var("PARALLEL_MIN_MACS").ok().and_then(|v| v.parse().ok()) {
        gemm::set_parallel_min_macs(macs); // to measure the threshold
    }
    if let Some(macs) = std::env::var("DATA_PARALLEL_MIN_MACS").ok().and_then(|v| v.parse().ok()) {
        chainrule::nn::set_data_parallel_min_macs(macs); // to measure the threshold; a huge value turns it off
    }
    let (inputs, outputs) = (sizes[0], *sizes.last().expect("at least two sizes"));
    let hidden = &sizes[1..sizes.len() - 1];
    let (loss, classes) = if outputs == 1 { (Loss::BceLogits, 2) } else { (Loss::SoftmaxCe, outputs) };
    let act = match std::env::var("ACT") {
        Ok(name) => chainrule::nn::parse_activation(&name).expect("ACT: an activation name"),
        Err(_) => Unary::Relu,
    };
    if std::env::var("ADAPTIVE").is_ok_and(|v| v == "0") {
        chainrule::parallel::set_adaptive(false);
    }
    let mut spec = MlpSpec::classifier(inputs, hidden, classes, act, loss).expect("a valid network");
    spec.init = Init::PyTorch;
    let mut mlp = Mlp::<f32>::new(&spec, 0).expect("builds");
    let mut rng = StdRng::seed_from_u64(1);
    let x: Vec<f32> = (0..batch * inputs).map(|_| StandardNormal.sample(&mut rng)).collect();
    let labels: Vec<usize> = (0..batch).map(|i| i % classes).collect();
    let mut targets = Vec::new();
    mlp.targets(&labels, &mut targets);
    let spec_opt: OptimSpec = "sgd:lr=0.01".parse().expect("valid");
    let mut opt = Optimizer::<f32>::new(&spec_opt);
    opt.set_inspectable(false);
    let mut step = |mlp: &mut Mlp<f32>, opt: &mut Optimizer<f32>| {
        mlp.train_step_grads(&x, batch, &targets, &mut rng).expect("a step");
        let (values, grads) = mlp.tape.params.values_and_grads();
        opt.step(values, grads);
    };
    let (n, dt) = {
        let warm = Instant::now();
        while warm.elapsed().as_secs_f64() < seconds.min(1.0) / 2.0 {
            step(&mut mlp, &mut opt);
        }
        let start = Instant::now();
        let mut n = 0u64;
        while n < 3 || start.elapsed().as_secs_f64() < seconds {
            step(&mut mlp, &mut opt);
            n += 1;
        }
        let dt = start.elapsed().as_secs_f64();
        if std::env::var_os("PROBE").is_some() {
            let mut rng = StdRng::seed_from_u64(2);
            let s = mlp.forward(&x, batch, Mode::Eval, &mut rng).expect("forward");
            let v = mlp.tape.value(s);
            eprintln!("max |score| {}", v.iter().fold(0.0f32, |a, b| a.max(b.abs())));
            let mut tt = [0.0f64; 4];
            for _ in 0..200 {
                let t0 = Instant::now();
                let s = mlp.forward(&x, batch, Mode::Train, &mut rng).expect("forward");
                let t1 = Instant::now();
                let l = mlp.loss(s, &targets).expect("loss");
                let t2 = Instant::now();
                mlp.tape.backward(l).expect("backward");
                let t3 = Instant::now();
                let (values, grads) = mlp.tape.params.values_and_grads();
                opt.step(values, grads);
                let t4 = Instant::now();
                for (acc, d) in tt.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3]) {
                    *acc += d.as_secs_f64() * 1e6 / 200.0;
                }
            }
            eprintln!("µs: forward {:.1} loss {:.1} backward {:.1} opt {:.1}", tt[0], tt[1], tt[2], tt[3]);
        }
        (n, dt)
    };
    let sizes: Vec<String> = sizes.iter().map(|s| s.to_string()).collect();
    println!(
        "{{\"net\": \"{}\", \"batch\": {batch}, \"threads\": {threads}, \"steps_per_s\": {:.1}, \"us_per_step\": {:.2}, \"params\": {}}}",
        sizes.join("-"),
        n as f64 / dt,
        dt / n as f64 * 1e6,
        spec.parameter_count()
    );
}

/// micrograd's demo step on the scalar engine.
fn scalar(sizes: &[usize], batch: usize, seconds: f64) {
    let (inputs, hidden) = (sizes[0], &sizes[1..sizes.len() - 1]);
    let mut spec = MlpSpec::classifier(inputs, hidden, 2, Unary::Relu, Loss::MarginHinge).expect("valid");
    spec.init = Init::PyTorch;
    spec.l2 = 1e-4;
    let mut mlp = Mlp::<f64>::new(&spec, 0).expect("builds");
    let mut rng = StdRng::seed_from_u64(1);
    let x: Vec<f64> = (0..batch * inputs).map(|_| StandardNormal.sample(&mut rng)).collect();
    let labels: Vec<usize> = (0..batch).map(|i| i % 2).collect();
    let mut opt = Optimizer::<f64>::new(&"sgd:lr=0.01".parse::<OptimSpec>().expect("valid"));
    opt.set_inspectable(false);
    let mut nodes = 0;
    let mut step = |mlp: &mut Mlp<f64>| {
        let mut net = mlp.scalar_graph(&x, &labels, Mode::Train, &mut rng);
        nodes = net.graph.len();
        let grads = net.param_grads();
        opt.step(mlp.tape.params.values_mut(), &grads);
    };
    let start = Instant::now();
    let mut n = 0u64;
    while n < 3 || start.elapsed().as_secs_f64() < seconds {
        step(&mut mlp);
        n += 1;
    }
    let dt = start.elapsed().as_secs_f64();
    println!(
        "{{\"net\": \"scalar\", \"batch\": {batch}, \"nodes\": {nodes}, \"steps_per_s\": {:.1}, \"us_per_step\": {:.2}}}",
        n as f64 / dt,
        dt / n as f64 * 1e6
    );
}
