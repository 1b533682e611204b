// Visible text below WCAG AA contrast against its (opaque) background, as a list.
() => {
  const rgba = (text) => (text.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || colour[3] >= 0.5) return colour.slice(0, 3);  // tints: look through
    }
    return [255, 255, 255];
  };
  const problems = [];
  for (const element of document.querySelectorAll("body *")) {
    const hasText = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const box = element.getBoundingClientRect();
    const hidden = element.closest("[hidden], .visually-hidden");
    if (!hasText || box.width <= 1 || box.height <= 1 || hidden) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || element.matches(":disabled")) continue;
    const colour = rgba(style.color);
    const alpha = colour.length > 3 ? colour[3] : 1;
    const bg = background(element);
    const fg = colour.slice(0, 3).map((c, i) => c * alpha + bg[i] * (1 - alpha));
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      const text = element.textContent.trim().slice(0, 30);
      problems.push(`${element.tagName}.${element.className} "${text}" ${ratio.toFixed(2)}`);
    }
  }
  return problems;
}
