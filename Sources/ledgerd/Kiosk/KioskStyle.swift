/// The kiosk's only stylesheet: no external fonts, large touch targets, visible focus, AA contrast
/// (text #1a1a1a on #ffffff is 17:1; white on #1d4ed8 is 6.7:1; #b91c1c errors on white 6.5:1;
/// the focus ring is #1d4ed8 on white, 6.7:1, amber on the dark header).
enum KioskStyle {
    static let css = """
        *,*::before,*::after{box-sizing:border-box}
        html{font-size:100%}
        body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;line-height:1.5;color:#1a1a1a;background:#fff}
        .top{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.75rem 1rem;background:#111827;color:#fff;flex-wrap:wrap}
        .top a{color:#fff;font-weight:600;text-decoration:none;padding:.5rem .25rem}
        .top a:hover{text-decoration:underline}
        main{max-width:44rem;margin:0 auto;padding:1rem}
        h1{font-size:1.75rem;line-height:1.2;margin:.5rem 0 1rem}
        h2{font-size:1.3rem;margin:1.5rem 0 .5rem}
        .summary{font-size:1.15rem;font-weight:500}
        .meta{color:#4b5563;font-size:.95rem}
        .count{margin:1rem 0;padding:1rem;background:#f3f4f6;border-radius:.5rem}
        .count strong{font-size:1.5rem}
        progress{width:100%;height:1rem}
        .letter{border-left:4px solid #9ca3af;padding:.25rem 1rem;background:#f9fafb}
        form{margin:1rem 0}
        .field{margin:0 0 1rem}
        label{display:block;font-weight:600;margin-bottom:.25rem}
        input[type=text],input[type=email],textarea{width:100%;font:inherit;padding:.65rem .75rem;border:2px solid #6b7280;border-radius:.375rem;background:#fff;color:#1a1a1a}
        textarea{min-height:6rem}
        .check{display:flex;gap:.6rem;align-items:flex-start}
        .check input{width:1.5rem;height:1.5rem;margin:.1rem 0 0}
        .check label{font-weight:400}
        fieldset{border:1px solid #d1d5db;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
        legend{font-weight:600;padding:0 .25rem}
        button,.button{display:inline-block;font:inherit;font-weight:700;font-size:1.15rem;padding:.8rem 1.6rem;border:0;border-radius:.5rem;background:#1d4ed8;color:#fff;cursor:pointer;text-decoration:none;min-height:3rem}
        button:hover,.button:hover{background:#1e40af}
        a{color:#1d4ed8}
        :focus-visible{outline:3px solid #1d4ed8;outline-offset:2px;box-shadow:0 0 0 6px #fde68a}
        .top a:focus-visible{outline-color:#f59e0b;box-shadow:none}
        input:focus-visible,textarea:focus-visible{border-color:#1d4ed8}
        .error{color:#b91c1c;font-weight:600;margin:.25rem 0 0}
        .invalid input,.invalid textarea{border-color:#b91c1c}
        .alert{border:2px solid #b91c1c;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem;color:#7f1d1d;background:#fef2f2}
        .alert p{margin:.25rem 0}
        .alert ul{margin:.25rem 0;padding-left:1.25rem}
        .alert a{color:#7f1d1d;font-weight:600}
        input[readonly],textarea[readonly]{background:#f3f4f6;border-style:dashed}
        .receipt{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:2rem;letter-spacing:.08em;padding:1rem;background:#ecfdf5;border:2px solid #047857;border-radius:.5rem;text-align:center;word-break:break-all}
        .comments{list-style:none;padding:0}
        .comments li{border-top:1px solid #e5e7eb;padding:.75rem 0}
        .comments .who{font-weight:600}
        .campaigns{list-style:none;padding:0}
        .campaigns li{border:1px solid #d1d5db;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
        .note{font-size:.95rem;color:#374151}
        .skip{position:absolute;left:-999px}
        .skip:focus{left:1rem;top:1rem;background:#fff;color:#1d4ed8;padding:.5rem;z-index:10}
        @media (max-width:30rem){h1{font-size:1.45rem}.receipt{font-size:1.5rem}button{width:100%}}
        """
}
