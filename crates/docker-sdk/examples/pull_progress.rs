//! Pulls (or, with `--push`, pushes) an image and draws the engine's
//! progress as one terminal bar per layer, as `docker pull` does.
//!
//! ```sh
//! cargo run -p docker-sdk --example pull_progress -- localhost:5000/app:dev
//! cargo run -p docker-sdk --example pull_progress -- --push localhost:5000/app:dev
//! ```

use std::collections::HashMap;

use docker_sdk::DockerClient;
use docker_sdk::api::types::ProgressDetail;
use futures::TryStreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// One bar per layer id, made when the layer first shows up.
struct Bars {
    all: MultiProgress,
    layers: HashMap<String, ProgressBar>,
    style: ProgressStyle,
}

impl Bars {
    fn new() -> Self {
        let style =
            ProgressStyle::with_template("{prefix:.bold} {wide_msg} {bytes:>10}/{total_bytes:10} {bar:30}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        Bars {
            all: MultiProgress::new(),
            layers: HashMap::new(),
            style,
        }
    }

    fn update(&mut self, id: Option<&str>, status: Option<&str>, detail: Option<&ProgressDetail>) {
        let status = status.unwrap_or_default().to_owned();
        let Some(id) = id else {
            // Messages about the whole image: print them above the bars.
            let _ = self.all.println(status);
            return;
        };
        let bar = self.layers.entry(id.to_owned()).or_insert_with(|| {
            let bar = self.all.add(ProgressBar::new(0));
            bar.set_style(self.style.clone());
            bar.set_prefix(id.to_owned());
            bar
        });
        if let Some(detail) = detail {
            if let Some(total) = detail.total.and_then(|t| u64::try_from(t).ok()) {
                bar.set_length(total);
            }
            if let Some(current) = detail.current.and_then(|c| u64::try_from(c).ok()) {
                bar.set_position(current);
            }
        }
        bar.set_message(status);
    }

    fn finish(&self) {
        for bar in self.layers.values() {
            bar.finish();
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).peekable();
    let push = args.next_if(|a| a == "--push").is_some();
    let image = args.next().ok_or("usage: pull_progress [--push] IMAGE[:TAG]")?;
    let docker = DockerClient::from_env()?;
    let mut bars = Bars::new();
    if push {
        let mut progress = docker.images().push(&image).stream().await?;
        while let Some(message) = progress.try_next().await? {
            // The push model of the newest API has no layer id: one line each.
            bars.update(None, message.status.as_deref(), message.progress_detail.as_ref());
        }
    } else {
        let mut progress = docker.images().pull(&image).stream().await?;
        while let Some(message) = progress.try_next().await? {
            bars.update(
                message.id.as_deref(),
                message.status.as_deref(),
                message.progress_detail.as_ref(),
            );
        }
    }
    bars.finish();
    Ok(())
}
