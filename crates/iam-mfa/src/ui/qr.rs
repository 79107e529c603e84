//! QR codes for virtual MFA enrolment: drawn in the terminal with half-block characters, or
//! encoded as a PNG image.

use qrcode::render::unicode::Dense1x2;
use qrcode::{Color, QrCode};

/// Why a QR code could not be made.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("cannot encode the QR code: {0}")]
    Encode(#[from] qrcode::types::QrError),
    #[error("cannot encode the PNG image: {0}")]
    Png(#[from] png::EncodingError),
}

/// `text` as a QR code drawn with Unicode half blocks (two modules per character row), light
/// modules in the foreground colour, so it scans on the usual dark-background terminal.
pub fn terminal(text: &str) -> Result<String, QrError> {
    let code = QrCode::new(text.as_bytes())?;
    Ok(code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}

/// Pixels per module in PNG output.
const SCALE: usize = 6;
/// Light modules around the code (the QR specification's quiet zone).
const QUIET: usize = 4;

/// `text` as an 8-bit greyscale PNG: black modules on white, with the quiet zone.
pub fn png(text: &str) -> Result<Vec<u8>, QrError> {
    let code = QrCode::new(text.as_bytes())?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![u8::MAX; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (x, y) = (
            (index % modules + QUIET) * SCALE,
            (index / modules + QUIET) * SCALE,
        );
        for row in y..y + SCALE {
            pixels[row * side + x..row * side + x + SCALE].fill(0);
        }
    }
    let mut bytes = Vec::new();
    let side_px = u32::try_from(side).unwrap_or(u32::MAX);
    let mut encoder = png::Encoder::new(&mut bytes, side_px, side_px);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_code_is_square_blocks() {
        let drawn = terminal("otpauth://totp/x?secret=ABC").unwrap();
        let lines: Vec<&str> = drawn.lines().collect();
        let width = lines[0].chars().count();
        assert!(width >= 21 + 8, "version 1 plus quiet zone");
        assert!(lines.iter().all(|line| line.chars().count() == width));
        assert_eq!(lines.len(), width.div_ceil(2));
    }

    #[test]
    fn png_decodes_to_the_code_modules() {
        let text = "otpauth://totp/x?secret=ABC";
        let bytes = png(text).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        let code = QrCode::new(text.as_bytes()).unwrap();
        let side = (code.width() + 2 * QUIET) * SCALE;
        assert_eq!((info.width as usize, info.height as usize), (side, side));
        for (index, color) in code.to_colors().iter().enumerate() {
            let (x, y) = (
                (index % code.width() + QUIET) * SCALE,
                (index / code.width() + QUIET) * SCALE,
            );
            let expected = if *color == Color::Dark { 0 } else { u8::MAX };
            assert_eq!(pixels[y * side + x], expected, "module {index}");
        }
        assert_eq!(pixels[0], u8::MAX, "quiet zone is white");
    }
}
