// The one image viewer of every widget: a modal dialog over the widget with previous/next,
// keyboard navigation, a pick checkbox, a download button and copy-URL. Focus goes back to the
// thumbnail that opened it.
import { safeImageUrl } from "../lib/urls.js";
import { facts, h } from "./dom.js";
import { keepKeysFromNotebook } from "./keys.js";
import "./lightbox.css";

const COPY_STATUS_MS = 2000;

/**
 * Shows slides[index] inside `host`, the full image drawn from `sources` (its URL, else the
 * kernel's bytes, else its saved thumbnail). A slide is {image, url, alt, title, details:
 * [[name, label, value]]}, `image` as `sources` names it. With `picks` ({isPicked(slide),
 * setPicked(slide, checked)}) a "Pick" checkbox picks the image shown, as its thumbnail's does.
 * Returns {element, show(index), showPick(), close()}; `onClose` runs once it has closed.
 */
export function openLightbox({ host, sources, slides, index, opener, picks = null, onClose = () => {} }) {
  let current = index;
  let copyTimer = null;
  let open = true;

  const image = h("img", { class: "pai-lightbox-img", alt: "" });
  const blocked = h("p", { class: "pai-lightbox-blocked", text: "This image's URL is not allowed, so it is not shown." });
  const title = h("p", { class: "pai-lightbox-title" });
  const details = h("div", { class: "pai-lightbox-details" });
  const counter = h("span", { class: "pai-lightbox-counter", "aria-live": "polite" });
  const prev = h("button", { class: "pai-lightbox-prev", type: "button", "aria-label": "Previous image", text: "‹" });
  const next = h("button", { class: "pai-lightbox-next", type: "button", "aria-label": "Next image", text: "›" });
  const close = h("button", { class: "pai-lightbox-close", type: "button", "aria-label": "Close", text: "×" });
  const download = h("button", { class: "pai-download", type: "button", text: "Download" });
  const copy = h("button", { class: "pai-copy-url", type: "button", text: "Copy URL" });
  const copyStatus = h("span", { class: "pai-copy-status", role: "status" });
  const pickBox = h("input", { type: "checkbox", class: "pai-lightbox-pick" });
  const pick = h("label", { class: "pai-lightbox-pick-label" }, pickBox, " Pick");
  pick.hidden = !picks;

  const element = keepKeysFromNotebook(h(
    "div",
    {
      class: "pai-lightbox",
      role: "dialog",
      "aria-modal": "true",
      "aria-label": "Image viewer",
      tabindex: "-1",
    },
    h(
      "div",
      { class: "pai-lightbox-panel" },
      h("div", { class: "pai-lightbox-bar" }, counter, close),
      h("div", { class: "pai-lightbox-stage" }, prev, h("figure", { class: "pai-lightbox-figure" }, image, blocked), next),
      title,
      details,
      h("div", { class: "pai-lightbox-actions" }, pick, download, copy, copyStatus),
    ),
  ));

  function show(position) {
    current = Math.max(0, Math.min(slides.length - 1, position));
    const slide = slides[current];
    const url = safeImageUrl(slide.url);
    sources.show(image, slide.image, "full");
    image.alt = slide.alt || "";
    image.hidden = !url;
    blocked.hidden = Boolean(url);
    download.hidden = !url;
    copy.hidden = !url;
    copyStatus.textContent = "";
    title.textContent = slide.title || "";
    details.replaceChildren(facts(slide.details || []));
    counter.textContent = `${current + 1} of ${slides.length}`;
    prev.disabled = current === 0;
    next.disabled = current === slides.length - 1;
    showPick();
  }

  function showPick() {
    if (!picks) return;
    pickBox.checked = Boolean(picks.isPicked(slides[current]));
    pickBox.setAttribute("aria-label", `Pick ${slides[current].alt || "this image"}`);
  }

  function setCopyStatus(text) {
    copyStatus.textContent = text;
    clearTimeout(copyTimer);
    copyTimer = setTimeout(() => (copyStatus.textContent = ""), COPY_STATUS_MS);
  }

  async function copyUrl() {
    const url = safeImageUrl(slides[current].url);
    if (!url) return;
    if (!navigator.clipboard?.writeText) {
      setCopyStatus("Copying is not available here");
      return;
    }
    try {
      await navigator.clipboard.writeText(url);
      if (open) setCopyStatus("Copied");
    } catch {
      if (open) setCopyStatus("Could not copy");
    }
  }

  let downloading = false;
  async function downloadImage() {
    if (downloading) return;
    downloading = true;
    setCopyStatus("Downloading…");
    try {
      const name = await sources.save(slides[current].image);
      if (open) setCopyStatus(`Saved ${name}`);
    } catch {
      if (open) setCopyStatus("Could not download: neither the image host nor the kernel answered");
    } finally {
      downloading = false;
    }
  }

  function focusables() {
    return [...element.querySelectorAll("button, a[href], input")].filter(
      (node) => !node.disabled && !node.hidden && !node.closest("[hidden]"),
    );
  }

  function onKeydown(event) {
    const handled = { ArrowLeft: () => show(current - 1), ArrowRight: () => show(current + 1), Escape: closeLightbox };
    if (handled[event.key]) {
      handled[event.key]();
    } else if (event.key === "Tab") {
      // keep focus inside the dialog while it is open
      const nodes = focusables();
      const edge = event.shiftKey ? nodes[0] : nodes[nodes.length - 1];
      if (nodes.length && (document.activeElement === edge || document.activeElement === element)) {
        (event.shiftKey ? nodes[nodes.length - 1] : nodes[0]).focus();
      } else {
        return;
      }
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  function closeLightbox() {
    if (!open) return;
    open = false;
    clearTimeout(copyTimer);
    element.remove();
    if (opener?.isConnected) opener.focus();
    onClose();
  }

  prev.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", () => show(current + 1));
  close.addEventListener("click", closeLightbox);
  copy.addEventListener("click", copyUrl);
  download.addEventListener("click", downloadImage);
  pickBox.addEventListener("change", () => picks?.setPicked(slides[current], pickBox.checked));
  element.addEventListener("keydown", onKeydown);
  element.addEventListener("click", (event) => {
    if (event.target === element) closeLightbox();
  });

  show(current);
  host.append(element);
  element.focus();
  return { element, show, showPick, close: closeLightbox };
}
