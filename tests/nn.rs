//! One network description, two backends: the tensor tape and the scalar engine (micrograd's way) give the same loss
//! and the same gradients to 1e-10 in f64, for every activation and every loss, with batch norm and dropout too.

use chainrule::nn::{ACTIVATIONS, Init, Mlp, MlpLayer, MlpSpec, Mode, fill_dropout_mask};
use chainrule::scalar::Unary;
use chainrule::tensor::Loss;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn batch(n: usize, d: usize, classes: usize) -> (Vec<f64>, Vec<usize>) {
    let x = (0..n * d).map(|i| ((i * 7919 % 113) as f64 / 113.0 - 0.5) * 3.0).collect();
    let y = (0..n).map(|i| (i * 5 + 1) % classes).collect();
    (x, y)
}

/// (loss, gradients) from the tensor tape and from the scalar graph, with the same dropout stream.
fn both(mlp: &mut Mlp<f64>, x: &[f64], y: &[usize], mode: Mode) -> ((f64, Vec<f64>), (f64, Vec<f64>)) {
    let mut rng = StdRng::seed_from_u64(5);
    let scores = mlp.forward(x, y.len(), mode, &mut rng).expect("forward");
    let mut t = Vec::new();
    mlp.targets(y, &mut t);
    let total = mlp.loss(scores, &t).expect("loss");
    mlp.tape.backward(total).expect("backward");
    let tensor = (mlp.tape.value(total)[0], mlp.params().grads.clone());
    let mut rng = StdRng::seed_from_u64(5);
    let mut net = mlp.scalar_graph(x, y, mode, &mut rng);
    let grads = net.param_grads();
    ((tensor.0, tensor.1), (net.graph.value(net.loss), grads))
}

fn assert_agree(what: &str, (lt, gt): (f64, Vec<f64>), (ls, gs): (f64, Vec<f64>)) {
    assert!((lt - ls).abs() <= 1e-10 * lt.abs().max(1.0), "{what}: loss {lt} vs {ls}");
    assert_eq!(gt.len(), gs.len());
    let nonzero = gt.iter().filter(|g| g.abs() > 1e-12).count();
    assert!(nonzero > gt.len() / 3, "{what}: only {nonzero} of {} gradients are non-zero", gt.len());
    for (i, (a, b)) in gt.iter().zip(&gs).enumerate() {
        assert!((a - b).abs() <= 1e-10 * a.abs().max(1.0), "{what}: gradient {i}: tensor {a} scalar {b}");
    }
}

#[test]
fn every_activation_and_loss_agrees_across_backends() {
    for loss in Loss::ALL {
        let classes = if matches!(loss, Loss::BceLogits | Loss::MarginHinge) { 2 } else { 3 };
        for act in ACTIVATIONS {
            let mut spec = MlpSpec::classifier(3, &[5, 4], classes, act, loss).expect("valid");
            spec.init = Init::PyTorch; // non-zero biases exercise the bias paths
            spec.l2 = 1e-3;
            spec.l1 = 1e-4;
            let mut mlp = Mlp::<f64>::new(&spec, 11).expect("builds");
            let (x, y) = batch(6, 3, classes);
            let (tensor, scalar) = both(&mut mlp, &x, &y, Mode::Train);
            assert_agree(&format!("{} / {}", loss.name(), act.name()), tensor, scalar);
        }
    }
}

#[test]
fn batch_norm_and_dropout_agree_in_train_and_eval() {
    let mut spec = MlpSpec::classifier(2, &[6, 5], 3, Unary::Tanh, Loss::SoftmaxCe).expect("valid");
    spec.batchnorm = true;
    spec.dropout = 0.3;
    let mut mlp = Mlp::<f64>::new(&spec, 3).expect("builds");
    let (x, y) = batch(8, 2, 3);
    let (tensor, scalar) = both(&mut mlp, &x, &y, Mode::Train);
    assert_agree("bn + dropout, train", tensor, scalar);
    // give the running statistics values that are not 0/1, then compare in evaluation mode
    for layer in &mut mlp.layers {
        if let MlpLayer::BatchNorm { running, .. } = layer {
            let w = running.len() / 2;
            for (j, r) in running.iter_mut().enumerate() {
                *r = if j < w { 0.1 * j as f64 } else { 0.5 + 0.2 * j as f64 };
            }
        }
    }
    let (tensor, scalar) = both(&mut mlp, &x, &y, Mode::Eval);
    assert_agree("bn, eval", tensor, scalar);
}

#[test]
fn running_statistics_follow_pytorch() {
    // One BatchNorm1d column fed [1, 2, 3, 6]: batch mean 3, unbiased variance (4 + 1 + 0 + 9)/3 = 14/3.
    // running_mean = 0.9·0 + 0.1·3 = 0.3;  running_var = 0.9·1 + 0.1·14/3 = 1.3666…
    let mut spec = MlpSpec::classifier(1, &[1], 2, Unary::Relu, Loss::BceLogits).expect("valid");
    spec.batchnorm = true;
    let mut mlp = Mlp::<f64>::new(&spec, 1).expect("builds");
    if let MlpLayer::Linear { weight, bias } = mlp.layers[0].clone() {
        mlp.params_mut().value_mut(weight)[0] = 1.0;
        mlp.params_mut().value_mut(bias)[0] = 0.0;
    }
    let mut rng = StdRng::seed_from_u64(0);
    mlp.forward(&[1.0, 2.0, 3.0, 6.0], 4, Mode::Train, &mut rng).expect("forward");
    mlp.update_running_stats();
    let MlpLayer::BatchNorm { running, batches, .. } = &mlp.layers[1] else { panic!("layer 1 is batch norm") };
    assert!((running[0] - 0.3).abs() < 1e-15 && (running[1] - (0.9 + 0.1 * 14.0 / 3.0)).abs() < 1e-15, "{running:?}");
    assert_eq!(*batches, 1);
}

#[test]
fn dropout_is_inverted_in_training_and_off_in_evaluation() {
    // p = 0.25 drops about a quarter and scales the kept units by 1/(1 − 0.25) = 4/3
    let mut rng = StdRng::seed_from_u64(9);
    let mut mask = vec![0.0f64; 10_000];
    fill_dropout_mask(&mut rng, 0.25, &mut mask);
    let dropped = mask.iter().filter(|&&m| m == 0.0).count();
    assert!((2300..2700).contains(&dropped), "{dropped}");
    assert!(mask.iter().all(|&m| m == 0.0 || m == 4.0 / 3.0));
    let mean = mask.iter().sum::<f64>() / mask.len() as f64;
    assert!((mean - 1.0).abs() < 0.03, "the expected activation is kept: {mean}");
    // in evaluation the network is deterministic: two passes give the same scores
    let mut spec = MlpSpec::classifier(2, &[16], 2, Unary::Relu, Loss::BceLogits).expect("valid");
    spec.dropout = 0.5;
    let mut mlp = Mlp::<f64>::new(&spec, 2).expect("builds");
    let (x, _) = batch(4, 2, 2);
    let a = mlp.forward(&x, 4, Mode::Eval, &mut rng).expect("eval");
    let a = mlp.tape.value(a).to_vec();
    let b = mlp.forward(&x, 4, Mode::Eval, &mut rng).expect("eval");
    assert_eq!(a, mlp.tape.value(b));
    let c = mlp.forward(&x, 4, Mode::Train, &mut rng).expect("train");
    assert_ne!(a, mlp.tape.value(c), "training mode drops units");
}

/// The f32 network (whose exp, log, tanh, sigmoid, softplus, elu and selu run as vectorized kernels) follows the
/// f64 one for every activation: loss and gradients within 1e-5, about a hundred times f32's rounding of values of
/// order one through two small layers.
#[test]
fn f32_follows_f64() {
    for act in ACTIVATIONS {
        let spec = MlpSpec::classifier(3, &[8, 8], 3, act, Loss::SoftmaxCe).expect("valid");
        let mut m64 = Mlp::<f64>::new(&spec, 4).expect("builds");
        let mut m32 = Mlp::<f32>::new(&spec, 4).expect("builds");
        let (x, y) = batch(10, 3, 3);
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let mut rng = StdRng::seed_from_u64(0);
        let s64 = m64.forward(&x, 10, Mode::Train, &mut rng).expect("forward");
        let s32 = m32.forward(&x32, 10, Mode::Train, &mut rng).expect("forward");
        let (mut t64, mut t32) = (Vec::new(), Vec::new());
        m64.targets(&y, &mut t64);
        m32.targets(&y, &mut t32);
        let l64 = m64.loss(s64, &t64).expect("loss");
        let l32 = m32.loss(s32, &t32).expect("loss");
        m64.tape.backward(l64).expect("backward");
        m32.tape.backward(l32).expect("backward");
        let name = act.name();
        assert!((m64.tape.value(l64)[0] - m32.tape.value(l32)[0] as f64).abs() < 1e-5, "{name}: loss");
        for (a, b) in m64.params().grads.iter().zip(&m32.params().grads) {
            assert!((a - *b as f64).abs() < 1e-5, "{name}: {a} vs {b}");
        }
    }
}

#[test]
fn save_and_load_round_trip() {
    let mut spec = MlpSpec::classifier(2, &[4], 3, Unary::Relu, Loss::SoftmaxCe).expect("valid");
    spec.batchnorm = true;
    let mut mlp = Mlp::<f32>::new(&spec, 8).expect("builds");
    if let MlpLayer::BatchNorm { running, batches, .. } = &mut mlp.layers[1] {
        running.iter_mut().enumerate().for_each(|(i, r)| *r = 0.5 + i as f32);
        *batches = 7;
    }
    let dir = std::env::temp_dir().join(format!("chainrule-nn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("m.safetensors");
    let meta = chainrule::nn::store::ModelMeta {
        spec: spec.clone(),
        torch: vec![],
        dtype: String::new(),
        features: vec!["x".into(), "y".into()],
        preprocess: serde_json::Value::Null,
        classes: vec!["a".into(), "b".into(), "c".into()],
        dataset: "test".into(),
    };
    mlp.save(&path, meta).expect("saves");
    let (back, meta) = Mlp::<f32>::load(&path).expect("loads");
    assert_eq!(back.params().values(), mlp.params().values());
    let running = |m: &Mlp<f32>| match &m.layers[1] {
        MlpLayer::BatchNorm { running, .. } => running.clone(),
        _ => unreachable!("layer 1 is batch norm"),
    };
    assert_eq!(running(&back), running(&mlp));
    assert_eq!(meta.torch, ["Linear(2, 4)", "BatchNorm1d(4)", "ReLU()", "Linear(4, 3)"]);
    assert_eq!(meta.dtype, "f32");
    // a file that is not a model is refused with its path
    std::fs::write(dir.join("bad.safetensors"), b"not a model").expect("write");
    let err = Mlp::<f32>::load(&dir.join("bad.safetensors")).unwrap_err().to_string();
    assert!(err.contains("bad.safetensors") && err.contains("not a safetensors file"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_scalar_graph_groups_nodes_by_layer_and_neuron() {
    use chainrule::scalar::NodeId;
    // 3 inputs, hidden 4 (tanh), 2 classes, a batch of 2 rows
    let spec = MlpSpec::classifier(3, &[4], 2, Unary::Tanh, Loss::SoftmaxCe).expect("valid");
    let mlp = Mlp::<f64>::new(&spec, 3).expect("builds");
    let (x, y) = batch(2, 3, 2);
    let net = mlp.scalar_graph(&x, &y, Mode::Eval, &mut StdRng::seed_from_u64(1));
    let (g, groups) = (&net.graph, &net.groups);
    assert_eq!(groups.nodes(), g.len());
    let path = |id: NodeId| groups.of(id).map(|k| groups.group(k).path.clone());
    // two linear layers of 4 and 2 neurons, and the loss
    for p in ["l1", "l1.n0", "l1.n3", "l2", "l2.n1", "loss"] {
        assert!(groups.find(p).is_some(), "no group {p}");
    }
    assert_eq!(groups.group(groups.find("l1.n2").unwrap()).parent, groups.find("l1"));
    // the weights of hidden neuron 2 (row 2 of the first weight matrix) and its bias are in l1.n2
    let n2 = groups.find("l1.n2").unwrap();
    let in_n2: Vec<&str> = g.ids().filter(|&id| groups.of(id) == Some(n2)).filter_map(|id| g.label(id)).collect();
    assert_eq!(in_n2.len(), 4, "3 weights and a bias: {in_n2:?}");
    // every tanh belongs to a hidden neuron, and each hidden neuron has one per row of the batch
    let mut per_neuron = std::collections::BTreeMap::new();
    for id in g.ids() {
        if matches!(g.op(id), chainrule::scalar::Op::Unary(Unary::Tanh, _)) {
            *per_neuron.entry(path(id).expect("a tanh is in a neuron")).or_insert(0) += 1;
        }
    }
    assert_eq!(per_neuron.len(), 4);
    assert!(per_neuron.values().all(|&k| k == 2), "{per_neuron:?}");
    // the loss node is in `loss`; the input constants are in no group
    assert_eq!(path(net.loss).as_deref(), Some("loss"));
    let x00 = g.ids().find(|&id| g.label(id) == Some("x[0][0]")).unwrap();
    assert_eq!(path(x00), None);
    // a neuron's value is its activation (one output per row of the batch)
    let outs = groups.outputs(g, net.loss);
    assert_eq!(outs[n2 as usize].1, 2);
}
