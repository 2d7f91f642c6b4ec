//! `audit`: every table of the statistical audit.

use super::*;

#[test]
fn audit_writes_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("audit");
    let output = riskscore()
        .args([
            "audit",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--period",
            "2022",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("covid_deaths                 availability 0%"),
        "{stdout}"
    );
    assert!(
        stdout.contains("collinear with sibling `neighbour_threat_mean`"),
        "{stdout}"
    );
    for (file, head) in [
        ("stats.csv", "indicator,group,n,availability,zeros,unique,min,max,mean,sd,skewness,kurtosis,outlier,low_availability,many_zeros,few_unique"),
        ("correlations.csv", "indicator,with_kind,with,n,pearson,pearson_p,spearman,spearman_p,flag"),
        ("cronbach.csv", "group,data,items,n,alpha"),
        ("pca.csv", "group,n,component,child,eigenvalue,explained,cumulative,eigenvector,loading"),
        ("effective_weights.csv", "indicator,nominal_weight,corr_with_index,importance"),
        ("units.csv", "unit,availability,strongest,weakest"),
    ] {
        let text = read(&out.join(file));
        assert_eq!(text.lines().next(), Some(head), "{file}");
    }
    let stats = read(&out.join("stats.csv"));
    assert_eq!(stats.lines().count(), 1 + 15);
    // Importances sum to 1.
    let eff = read(&out.join("effective_weights.csv"));
    let total: f64 = eff
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-5, "{total}");
    let err = misuse(&[
        "audit",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "--period",
        "2012",
        "-o",
        &out.display().to_string(),
    ]);
    assert!(
        err.starts_with("error: --period: no unit is scored in period 2012"),
        "{err}"
    );
}
