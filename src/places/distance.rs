//! Neighbours from coordinates: the places within a distance, or the k nearest, by
//! great-circle distance, with weights that fall with distance.
//!
//! Distance (haversine, on a sphere of the Earth's mean radius R = 6,371.0088 km, the
//! IUGG value):
//! `d = 2 R asin(sqrt(sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)))`, φ latitude and λ
//! longitude in radians. Its error against the ellipsoid is under 0.5 %.
//!
//! Weights of neighbour j of unit u: 1 (equal); `1 / d_uj` (inverse distance, d in km);
//! `exp(-d_uj / s)` (exponential decay with scale s km). Spatial weights as in Anselin
//! (1988) and the spill-over terms of conflict forecasting (Hegre et al. 2019).
//!
//! ## References
//! Sinnott (1984) Virtues of the haversine, Sky and Telescope 68(2). Moritz (2000)
//! Geodetic Reference System 1980, J. Geodesy 74 (the mean radius). Anselin (1988)
//! Spatial Econometrics: Methods and Models, ch. 3.

/// The Earth's mean radius in km (IUGG).
pub const EARTH_RADIUS_KM: f64 = 6_371.008_8;

/// Which places are a place's neighbours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reach {
    /// Every place within this many km.
    WithinKm(f64),
    /// The k nearest places (ties at the k-th distance all included).
    Nearest(usize),
}

/// How a neighbour's weight falls with distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DistanceWeights {
    Equal,
    InverseDistance,
    Exponential { scale_km: f64 },
}

/// Great-circle distance in km between (lat, lon) points in degrees.
pub fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (phi1, phi2) = (a.0.to_radians(), b.0.to_radians());
    let (dphi, dlambda) = ((b.0 - a.0).to_radians(), (b.1 - a.1).to_radians());
    let h = (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Per place: its neighbours (index, weight), nearest first; an error names two places
/// at the same point when inverse-distance weights would divide by 0.
///
/// Within a distance, only the places in the band of latitudes that distance spans are
/// measured (a degree of latitude is R π / 180 km everywhere); the k nearest are picked
/// by a partial selection, not a sort of every distance.
pub fn neighbours(
    points: &[(f64, f64)],
    reach: Reach,
    weights: DistanceWeights,
    names: &[String],
) -> Result<Vec<Vec<(usize, f64)>>, String> {
    let mut by_lat: Vec<usize> = (0..points.len()).collect();
    by_lat.sort_by(|&a, &b| points[a].0.total_cmp(&points[b].0));
    let lats: Vec<f64> = by_lat.iter().map(|&i| points[i].0).collect();
    let km_per_degree = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;
    let mut out = Vec::with_capacity(points.len());
    for (u, &p) in points.iter().enumerate() {
        let order = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        let chosen: Vec<(f64, usize)> = match reach {
            Reach::WithinKm(limit) => {
                // A little more than the band, for rounding.
                let band = limit / km_per_degree * (1.0 + 1e-9) + 1e-9;
                let from = lats.partition_point(|&l| l < p.0 - band);
                let to = lats.partition_point(|&l| l <= p.0 + band);
                let mut near: Vec<(f64, usize)> = by_lat[from..to]
                    .iter()
                    .filter(|&&j| j != u)
                    .map(|&j| (km(p, points[j]), j))
                    .filter(|&(d, _)| d <= limit)
                    .collect();
                near.sort_by(order);
                near
            }
            Reach::Nearest(k) => {
                let mut all: Vec<(f64, usize)> = points
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != u)
                    .map(|(j, &q)| (km(p, q), j))
                    .collect();
                if k < all.len() {
                    // The k-th distance, then every place at or within it (ties kept).
                    let (_, kth, _) = all.select_nth_unstable_by(k - 1, order);
                    let cut = kth.0;
                    all.retain(|&(d, _)| d <= cut);
                }
                all.sort_by(order);
                all
            }
        };
        let mut list = Vec::with_capacity(chosen.len());
        for (d, j) in chosen {
            let w = match weights {
                DistanceWeights::Equal => 1.0,
                DistanceWeights::InverseDistance if d == 0.0 => {
                    return Err(format!(
                        "`{}` and `{}` are at the same point: an inverse-distance weight would divide by 0",
                        names[u], names[j]
                    ))
                }
                DistanceWeights::InverseDistance => 1.0 / d,
                DistanceWeights::Exponential { scale_km } => (-d / scale_km).exp(),
            };
            list.push((j, w));
        }
        out.push(list);
    }
    Ok(out)
}

/// Every place within `limit` km or the k nearest, by measuring every pair: the
/// definition [`neighbours`] must agree with (in tests).
#[cfg(test)]
fn by_every_pair(points: &[(f64, f64)], reach: Reach) -> Vec<Vec<usize>> {
    (0..points.len())
        .map(|u| {
            let mut all: Vec<(f64, usize)> = (0..points.len())
                .filter(|&j| j != u)
                .map(|j| (km(points[u], points[j]), j))
                .collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            match reach {
                Reach::WithinKm(limit) => all
                    .into_iter()
                    .take_while(|&(d, _)| d <= limit)
                    .map(|(_, j)| j)
                    .collect(),
                Reach::Nearest(k) => {
                    let cut = all.get(k.saturating_sub(1)).map(|&(d, _)| d);
                    all.into_iter()
                        .enumerate()
                        .take_while(|&(i, (d, _))| i < k || Some(d) == cut)
                        .map(|(_, (_, j))| j)
                        .collect()
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::prec::close;

    /// One degree of a great circle is R π / 180 = 111.195 km; a quarter of the equator
    /// is R π / 2; Kabul (34.5553, 69.2075) to Termez (37.2242, 67.2783): 343.889 km
    /// (the same formula in Python's math module: 343.8891371527459).
    #[test]
    fn great_circle_distances_by_hand() {
        let r = EARTH_RADIUS_KM;
        assert!(close(
            km((0.0, 0.0), (0.0, 1.0)),
            r * std::f64::consts::PI / 180.0,
            1e-9
        ));
        assert!(close(
            km((0.0, 0.0), (1.0, 0.0)),
            r * std::f64::consts::PI / 180.0,
            1e-9
        ));
        assert!(close(km((0.0, 0.0), (0.0, 90.0)), r * std::f64::consts::PI / 2.0, 1e-9));
        assert!(close(
            km((0.0, 179.5), (0.0, -179.5)),
            r * std::f64::consts::PI / 180.0,
            1e-9
        ));
        assert!(close(km((90.0, 0.0), (-90.0, 0.0)), r * std::f64::consts::PI, 1e-9));
        let kabul_termez = km((34.5553, 69.2075), (37.2242, 67.2783));
        assert!(close(kabul_termez, 343.8891371527459, 1e-9), "{kabul_termez}");
    }

    /// Four places on the equator at 0, 1, 2 and 4 degrees of longitude (111.2 km a
    /// degree): within 150 km, B's neighbours are A and C; the 2 nearest of D are C and
    /// B; a tie at the k-th distance keeps both.
    #[test]
    fn reach_and_weights_by_hand() {
        let points = [(0.0, 0.0), (0.0, 1.0), (0.0, 2.0), (0.0, 4.0)];
        let names: Vec<String> = ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect();
        let deg = km((0.0, 0.0), (0.0, 1.0));
        let within = neighbours(&points, Reach::WithinKm(150.0), DistanceWeights::Equal, &names).unwrap();
        assert_eq!(within[1], [(0, 1.0), (2, 1.0)]);
        assert!(within[3].is_empty());
        let nearest = neighbours(&points, Reach::Nearest(2), DistanceWeights::InverseDistance, &names).unwrap();
        assert_eq!(nearest[3].iter().map(|&(j, _)| j).collect::<Vec<_>>(), [2, 1]);
        assert!(close(nearest[3][0].1, 1.0 / (2.0 * deg), 1e-15));
        // B is 1 degree from both A and C: the nearest 1 keeps the tie.
        let tie = neighbours(&points, Reach::Nearest(1), DistanceWeights::Equal, &names).unwrap();
        assert_eq!(tie[1], [(0, 1.0), (2, 1.0)]);
        let exp = neighbours(
            &points,
            Reach::WithinKm(250.0),
            DistanceWeights::Exponential { scale_km: 100.0 },
            &names,
        )
        .unwrap();
        assert!(close(exp[0][1].1, (-2.0 * deg / 100.0).exp(), 1e-15));
        let same = [(1.0, 1.0), (1.0, 1.0)];
        assert_eq!(
            neighbours(&same, Reach::Nearest(1), DistanceWeights::InverseDistance, &names[..2]).unwrap_err(),
            "`A` and `B` are at the same point: an inverse-distance weight would divide by 0"
        );
    }

    /// The band search and the partial selection pick what measuring every pair picks,
    /// on 400 seeded places (some on the same latitude, some at the poles' edge).
    #[test]
    fn fast_search_equals_every_pair() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut points: Vec<(f64, f64)> = (0..400)
            .map(|_| (rng.random_range(-89.0..89.0), rng.random_range(-180.0..180.0)))
            .collect();
        points.extend([(10.0, 5.0), (10.0, 6.0), (10.0, 7.0), (89.9, 0.0), (89.9, 180.0)]);
        let names: Vec<String> = (0..points.len()).map(|i| i.to_string()).collect();
        for reach in [
            Reach::WithinKm(1_500.0),
            Reach::WithinKm(111.0),
            Reach::Nearest(1),
            Reach::Nearest(7),
        ] {
            let fast = neighbours(&points, reach, DistanceWeights::Equal, &names).unwrap();
            let fast: Vec<Vec<usize>> = fast.iter().map(|l| l.iter().map(|&(j, _)| j).collect()).collect();
            assert_eq!(fast, by_every_pair(&points, reach), "{reach:?}");
        }
    }
}
