"""The official SOP document (Permenpan RB 35/2012) in and out of BPMN.

model: a BPMN text read into the document (identity sheet, pelaksana, rows), lxml only;
html/pdf: the printed document; docx_out/docx_in: the same document as a Word table and back.
"""
