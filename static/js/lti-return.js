// Deep linking: send the chosen activity back to the LMS at once (the button is there without script).
document.querySelectorAll("form[data-auto-submit]").forEach((form) => form.submit());
