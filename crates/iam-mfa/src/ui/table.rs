//! Plain-text tables for human output: left-aligned columns separated by two spaces.

/// Renders `headers` and `rows` as aligned text, one line per row, ending with a newline.
/// Trailing spaces are trimmed; an empty cell is shown as `-`.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let cell = |text: &str| {
        if text.is_empty() {
            "-".to_owned()
        } else {
            text.to_owned()
        }
    };
    let lines: Vec<Vec<String>> = std::iter::once(headers.iter().map(|h| cell(h)).collect())
        .chain(
            rows.iter()
                .map(|row| row.iter().map(|text| cell(text)).collect()),
        )
        .collect();
    let mut widths = vec![0; headers.len()];
    for line in &lines {
        for (width, text) in widths.iter_mut().zip(line) {
            *width = (*width).max(text.chars().count());
        }
    }
    let mut out = String::new();
    for line in &lines {
        let mut text = String::new();
        for (text_cell, width) in line.iter().zip(&widths) {
            text.push_str(&format!("{text_cell:<width$}  "));
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_aligned_and_empty_cells_marked() {
        let rows = vec![
            vec!["alice".into(), "virtual".into()],
            vec!["bartholomew".into(), String::new()],
        ];
        assert_eq!(
            render(&["USER", "TYPE"], &rows),
            "USER         TYPE\nalice        virtual\nbartholomew  -\n"
        );
    }
}
