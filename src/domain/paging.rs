//! Numbered pages of the coordinator's long lists (history, audit logs): which rows a page
//! holds and whether another follows.

use super::Invalid;
use crate::error_code::ErrorCode;

/// Deep enough for years of a neighbourhood's history; beyond it a date filter is the tool.
pub const MAX_PAGE: u32 = 10_000;

/// Rows per page of an audit log (a request's, or an account's).
pub const LOG_PAGE: u32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: u32,
    pub size: u32,
}

impl Page {
    /// Page `number` (from 1; none means the first) of `size` rows.
    pub fn new(number: Option<u32>, size: u32) -> Result<Page, Invalid> {
        let number = number.unwrap_or(1);
        if !(1..=MAX_PAGE).contains(&number) {
            return Err(Invalid::new(
                ErrorCode::InvalidParameter,
                format!("parameter `page` must be between 1 and {MAX_PAGE}, not {number}"),
            ));
        }
        Ok(Page { number, size })
    }

    pub fn offset(self) -> i64 {
        i64::from(self.number - 1) * i64::from(self.size)
    }

    /// Rows to read: one more than a page, to learn whether another page follows.
    pub fn fetch(self) -> i64 {
        i64::from(self.size) + 1
    }

    /// The page's rows out of what [`Page::fetch`] read, and the next page's number if any.
    pub fn cut<T>(self, mut rows: Vec<T>) -> (Vec<T>, Option<u32>) {
        let more = rows.len() > self.size as usize;
        rows.truncate(self.size as usize);
        (rows, more.then_some(self.number + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_page_is_the_default_and_starts_at_the_first_row() {
        let p = Page::new(None, 20).unwrap();
        assert_eq!((p.number, p.offset(), p.fetch()), (1, 0, 21));
        assert_eq!(Page::new(Some(3), 20).unwrap().offset(), 40);
    }

    #[test]
    fn a_page_names_the_next_only_when_a_row_is_left_over() {
        let p = Page::new(Some(2), 3).unwrap();
        assert_eq!(p.cut(vec![1, 2, 3, 4]), (vec![1, 2, 3], Some(3)));
        assert_eq!(p.cut(vec![1, 2, 3]), (vec![1, 2, 3], None));
        assert_eq!(p.cut(Vec::<i32>::new()), (vec![], None));
    }

    #[test]
    fn page_zero_and_pages_past_the_limit_are_refused() {
        assert!(Page::new(Some(0), 20).is_err());
        assert!(Page::new(Some(MAX_PAGE + 1), 20).is_err());
        assert!(Page::new(Some(MAX_PAGE), 20).is_ok());
    }
}
