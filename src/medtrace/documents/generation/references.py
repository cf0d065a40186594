"""The regulations and standards a generated document is written to, per market: the quality
system frame every template cites, and the rules particular to a topic (complaints, recalls,
suppliers ...). Cited by name and clause as their owners publish them; a citation is not
translated (an inspector looks it up as written)."""

from medtrace.documents.choices import Market

NMPA_GMP = "医疗器械生产质量管理规范（2025 修订）"
GB_T_42061 = "GB/T 42061-2022《医疗器械 质量管理体系 用于法规的要求》（idt ISO 13485:2016）"
QMSR = (
    "21 CFR Part 820 Quality Management System Regulation (QMSR), incorporating "
    "ISO 13485:2016 by reference (§ 820.7, § 820.10)"
)
MDR = "Regulation (EU) 2017/745 (MDR), Art. 10 (general obligations of manufacturers)"
MDR_ANNEX_IX = "Regulation (EU) 2017/745 (MDR), Annex IX (quality management system assessment)"
EN_ISO_13485 = "EN ISO 13485:2016+A11:2021"

# The quality-system frame every generated document cites.
FRAME = {
    Market.NMPA: [NMPA_GMP, GB_T_42061],
    Market.FDA: [QMSR, "ISO 13485:2016", "21 CFR Part 11 (electronic records and signatures)"],
    Market.EU: [MDR, MDR_ANNEX_IX, EN_ISO_13485],
}

# What each market adds for a topic: ISO 13485 clauses (GB/T 42061 has the same numbering) and
# the market's own rules.
TOPIC = {
    "document_control": {
        Market.NMPA: ["GB/T 42061-2022 4.2.4、4.2.5", f"{NMPA_GMP}：文件管理"],
        Market.FDA: ["ISO 13485:2016 4.2.4, 4.2.5", "21 CFR 820.35 (control of records)"],
        Market.EU: ["EN ISO 13485 4.2.4, 4.2.5", "MDR Annex IX, section 2.2"],
    },
    "capa": {
        Market.NMPA: ["GB/T 42061-2022 8.5.2、8.5.3", f"{NMPA_GMP}：不良事件监测、分析和改进"],
        Market.FDA: ["ISO 13485:2016 8.5.2, 8.5.3", "21 CFR 820.10"],
        Market.EU: ["EN ISO 13485 8.5.2, 8.5.3", "MDR Art. 10(9)(l)"],
    },
    "nonconformance": {
        Market.NMPA: ["GB/T 42061-2022 8.3", f"{NMPA_GMP}：不合格品控制"],
        Market.FDA: ["ISO 13485:2016 8.3", "21 CFR 820.10"],
        Market.EU: ["EN ISO 13485 8.3", "MDR Art. 10(9)(m)"],
    },
    "training": {
        Market.NMPA: ["GB/T 42061-2022 6.2", f"{NMPA_GMP}：机构与人员"],
        Market.FDA: ["ISO 13485:2016 6.2", "21 CFR 820.10"],
        Market.EU: ["EN ISO 13485 6.2", "MDR Art. 10(9)(d)"],
    },
    "supplier_control": {
        Market.NMPA: [
            "GB/T 42061-2022 7.4",
            f"{NMPA_GMP}：采购",
            "医疗器械生产企业供应商审核指南（原国家食品药品监督管理总局，2015）",
        ],
        Market.FDA: ["ISO 13485:2016 7.4", "21 CFR 820.10"],
        Market.EU: ["EN ISO 13485 7.4", "MDR Art. 10(9)(d)", "MDR Annex IX, section 2.2"],
    },
    "calibration": {
        Market.NMPA: ["GB/T 42061-2022 7.6", f"{NMPA_GMP}：设备", "《中华人民共和国计量法》"],
        Market.FDA: ["ISO 13485:2016 7.6", "21 CFR 820.10"],
        Market.EU: ["EN ISO 13485 7.6"],
    },
    "complaint_handling": {
        Market.NMPA: [
            "GB/T 42061-2022 8.2.2、8.2.3",
            f"{NMPA_GMP}：销售和售后服务",
            "医疗器械不良事件监测和再评价管理办法"
            "（国家市场监督管理总局 国家卫生健康委员会令第1号）",
        ],
        Market.FDA: [
            "ISO 13485:2016 8.2.2, 8.2.3",
            "21 CFR 820.35(a) (complaint records)",
            "21 CFR Part 803 (medical device reporting)",
        ],
        Market.EU: [
            "EN ISO 13485 8.2.2, 8.2.3",
            "MDR Art. 10(9)(k), Art. 87 and 88 (vigilance, trend reporting)",
        ],
    },
    "recall": {
        Market.NMPA: [
            "GB/T 42061-2022 7.2.3、8.3.3",
            "医疗器械召回管理办法（国家食品药品监督管理总局令第29号）",
        ],
        Market.FDA: [
            "ISO 13485:2016 7.2.3, 8.3.3",
            "21 CFR Part 806 (reports of corrections and removals)",
            "21 CFR Part 7, Subpart C (recalls)",
        ],
        Market.EU: [
            "EN ISO 13485 7.2.3, 8.3.3",
            "MDR Art. 10(12), Art. 89 (field safety corrective actions)",
        ],
    },
}


def for_market(market: str, *topics: str) -> list[str]:
    """The frame of `market` then what each topic adds, each citation once."""
    cited = list(FRAME[market])
    for topic in topics:
        cited += TOPIC.get(topic, {}).get(market, [])
    return list(dict.fromkeys(cited))
