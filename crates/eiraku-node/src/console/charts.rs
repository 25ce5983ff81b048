//! The console's charts, drawn on the server as SVG with plotters (no
//! fonts needed: labels are SVG text the browser sets). Values are coins
//! as floats: presentation only, nothing here feeds the ledger.

use plotters::prelude::*;

/// A line of a chart: its name, colour and points (x, y).
pub struct Line {
    pub name: &'static str,
    pub colour: RGBColor,
    pub points: Vec<(u64, f64)>,
}

/// One series of a bar chart: its name, colour and a value per category.
pub struct Bars {
    pub name: &'static str,
    pub colour: RGBColor,
    pub values: Vec<f64>,
}

const SIZE: (u32, u32) = (720, 300);
pub const BLUE: RGBColor = RGBColor(11, 92, 173);
pub const ORANGE: RGBColor = RGBColor(214, 110, 20);
pub const GREY: RGBColor = RGBColor(120, 128, 140);

/// Lines over block heights, each drawn as steps (a value holds until the
/// next point), with a legend.
pub fn step_lines(lines: &[Line], y_label: &str) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        if let Err(error) = draw_lines(&root, lines, y_label) {
            tracing::warn!(%error, "a chart was not drawn");
        }
    }
    scalable(svg)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type Drawn = Result<(), Box<dyn std::error::Error + 'static>>;

fn draw_lines(root: &Area<'_>, lines: &[Line], y_label: &str) -> Drawn {
    let (x_min, x_max, y_min, y_max) = extent(lines);
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(110)
        .build_cartesian_2d(x_min as f64..(x_max.max(x_min + 1)) as f64, y_min..y_max)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .x_desc("block height")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc(y_label)
        .y_label_formatter(&|y| match y_max - y_min < 10.0 {
            true => format!("{y:.1}"),
            false => grouped(*y),
        })
        .draw()?;
    for line in lines {
        let colour = line.colour;
        chart
            .draw_series(LineSeries::new(
                steps(&line.points, x_max)
                    .into_iter()
                    .map(|(x, y)| (x as f64, y)),
                colour.stroke_width(2),
            ))?
            .label(line.name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(GREY)
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Grouped bars, one group per category.
pub fn grouped_bars(categories: &[String], series: &[Bars], y_label: &str) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        if let Err(error) = draw_bars(&root, categories, series, y_label) {
            tracing::warn!(%error, "a chart was not drawn");
        }
    }
    scalable(svg)
}

fn draw_bars(root: &Area<'_>, categories: &[String], series: &[Bars], y_label: &str) -> Drawn {
    let n = categories.len().max(1);
    let y_max = (series.iter())
        .flat_map(|s| s.values.iter().copied())
        .fold(0f64, f64::max);
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(110)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..y_max * 1.1 + 1.0)?;
    let label = |x: &f64| {
        let index = x.round();
        let on_a_category = (x - index).abs() < 1e-6 && index >= 0.0;
        match categories.get(index as usize) {
            Some(code) if on_a_category => code.clone(),
            _ => String::new(),
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .x_labels(n)
        .x_label_formatter(&label)
        .y_desc(y_label)
        .y_label_formatter(&|y| grouped(*y))
        .draw()?;
    let width = 0.8 / series.len().max(1) as f64;
    for (k, bars) in series.iter().enumerate() {
        let colour = bars.colour;
        let rectangles = bars.values.iter().enumerate().map(move |(i, value)| {
            let left = i as f64 - 0.4 + k as f64 * width;
            Rectangle::new([(left, 0.0), (left + width, *value)], colour.filled())
        });
        chart
            .draw_series(rectangles)?
            .label(bars.name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(GREY)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    root.present()?;
    Ok(())
}

/// The x range, and a y range around the values (not from zero: the
/// lines' moves would not show against their size).
fn extent(lines: &[Line]) -> (u64, u64, f64, f64) {
    let points = || lines.iter().flat_map(|l| l.points.iter());
    let x_min = points().map(|p| p.0).min().unwrap_or(0);
    let x_max = points().map(|p| p.0).max().unwrap_or(1);
    let low = points().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let high = points().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    if !low.is_finite() {
        return (x_min, x_max, 0.0, 1.0);
    }
    let pad = ((high - low) * 0.1).max(high.abs() * 0.001).max(1.0);
    (x_min, x_max, (low - pad).max(0.0), high + pad)
}

/// `10029068000` as `10,029,068,000`.
fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A value holds from its point to the next one, and the last to `end`.
fn steps(points: &[(u64, f64)], end: u64) -> Vec<(u64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2 + 1);
    for (i, &(x, y)) in points.iter().enumerate() {
        out.push((x, y));
        let next = points.get(i + 1).map_or(end, |p| p.0);
        out.push((next, y));
    }
    out
}

/// The SVG, made scalable (it fills its container's width).
fn scalable(svg: String) -> String {
    svg.replacen(
        &format!(r#"<svg width="{}" height="{}" "#, SIZE.0, SIZE.1),
        r#"<svg width="100%" preserveAspectRatio="xMidYMid meet" "#,
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_scalable_svg_with_their_labels() {
        let line = Line {
            name: "circulation",
            colour: BLUE,
            points: vec![(1, 10.0), (5, 20.0)],
        };
        let svg = step_lines(&[line], "ACU");
        assert!(svg.starts_with(r#"<svg width="100%""#), "{svg}");
        assert!(svg.contains("circulation") && svg.contains("block height"));
        let bars = Bars {
            name: "issued",
            colour: ORANGE,
            values: vec![1.0, 2.0],
        };
        let svg = grouped_bars(&["JP".into(), "TH".into()], &[bars], "ACU");
        assert!(svg.contains(">\nJP\n<") || svg.contains(">JP<"), "{svg}");
        assert_eq!(
            steps(&[(1, 1.0), (3, 2.0)], 5),
            [(1, 1.0), (3, 1.0), (3, 2.0), (5, 2.0)]
        );
        assert_eq!(grouped(10_029_068_000.0), "10,029,068,000");
        assert_eq!(grouped(999.0), "999");
    }
}
