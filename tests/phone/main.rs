//! Made for a 360 px phone (issue 16): every role's main screens at 320, 360 and 412 px in
//! headless Chromium, checked for spilled text, broken words, es-AR dates and against
//! reference screenshots; and one confirm-and-result flow per role.

#[path = "../common/mod.rs"]
mod common;

mod checks;
mod flows;
mod scene;
mod screens;
