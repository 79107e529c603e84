//! Marker/IsTruncated paging as AWS documents it for IAM list calls: ask again with the returned
//! `Marker` while `IsTruncated` is true. (The SDK's paginators look only at the marker.) A
//! page may hold fewer items than `MaxItems` even when more follow, and moto ignores `MaxItems`
//! on several calls, so nothing here assumes a page size.

use super::error::Error;
use std::future::Future;

/// One page of an IAM list call.
#[derive(Debug)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// `IsTruncated`: more items follow.
    pub is_truncated: bool,
    /// `Marker`: where the next page starts.
    pub marker: Option<String>,
}

/// Fetches every page, calling `fetch(marker)` first with `None`, and returns all items in
/// order. `operation` names the call in errors (a truncated page without a marker, or a marker
/// that repeats, would otherwise loop forever).
pub async fn all_pages<T, F, Fut>(operation: &'static str, mut fetch: F) -> Result<Vec<T>, Error>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let mut items = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = fetch(marker.clone()).await?;
        items.extend(page.items);
        if !page.is_truncated {
            return Ok(items);
        }
        match page.marker {
            Some(next) if marker.as_ref() != Some(&next) => marker = Some(next),
            Some(_) => {
                return Err(Error::Response {
                    operation,
                    what: "the same Marker twice".into(),
                });
            }
            None => {
                return Err(Error::Response {
                    operation,
                    what: "IsTruncated without a Marker".into(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn page(items: &[u32], marker: Option<&str>, is_truncated: bool) -> Page<u32> {
        Page {
            items: items.to_vec(),
            is_truncated,
            marker: marker.map(str::to_owned),
        }
    }

    fn run<F, Fut>(fetch: F) -> Result<Vec<u32>, Error>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<Page<u32>, Error>>,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(all_pages("iam:Test", fetch))
    }

    #[test]
    fn follows_markers_until_not_truncated() {
        let seen = RefCell::new(Vec::new());
        let items = run(|marker| {
            seen.borrow_mut().push(marker.clone());
            let result = match marker.as_deref() {
                None => page(&[1, 2], Some("a"), true),
                Some("a") => page(&[], Some("b"), true),
                _ => page(&[3], None, false),
            };
            async { Ok(result) }
        })
        .unwrap();
        assert_eq!(items, vec![1, 2, 3]);
        assert_eq!(
            *seen.borrow(),
            vec![None, Some("a".to_owned()), Some("b".to_owned())]
        );
    }

    #[test]
    fn stops_on_not_truncated_even_with_a_marker() {
        let items = run(|_| async { Ok(page(&[7], Some("ignored"), false)) }).unwrap();
        assert_eq!(items, vec![7]);
    }

    #[test]
    fn a_repeated_or_missing_marker_is_an_error_not_a_loop() {
        let repeated = run(|_| async { Ok(page(&[1], Some("same"), true)) });
        assert!(matches!(repeated, Err(Error::Response { .. })));
        let missing = run(|_| async { Ok(page(&[1], None, true)) });
        assert!(matches!(missing, Err(Error::Response { .. })));
    }
}
